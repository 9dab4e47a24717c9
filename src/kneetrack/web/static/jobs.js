// kneetrack web: upload one or two clips with a progress bar each, then queue them as one
// assessment and go to the job's page. No inline scripts (the CSP forbids them), no CDN.
(function () {
  "use strict";

  function sendFile(url, token, item) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.setRequestHeader("X-Filename", encodeURIComponent(item.file.name));
      xhr.setRequestHeader("Content-Type", item.file.type || "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      item.bar.hidden = false;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          item.bar.max = e.total;
          item.bar.value = e.loaded;
          item.out.textContent = "uploading " + Math.round(100 * e.loaded / e.total) + " %";
        }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status === 201 || xhr.status === 200) {
          item.bar.value = item.bar.max;
          item.out.textContent = "uploaded";
          resolve(body);
        } else {
          item.out.textContent = "";
          reject(new Error(item.file.name + ": " + (body.detail || ("upload refused (HTTP " + xhr.status + ")"))));
        }
      };
      xhr.onerror = function () {
        reject(new Error(item.file.name + ": the connection broke during the upload; try again"));
      };
      xhr.send(item.file);
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form[data-upload]");
    if (!form) { return; }
    ev.preventDefault();
    var token = form.querySelector("input[name=csrf_token]").value;
    var errorBox = form.querySelector("#upload-error");
    var button = form.querySelector("button[type=submit]");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
    var items = [];
    form.querySelectorAll("[data-clip]").forEach(function (slot) {
      var input = slot.querySelector("input[type=file]");
      if (input.files && input.files.length) {
        items.push({file: input.files[0], view: slot.querySelector("select").value,
                    bar: slot.querySelector("progress"), out: slot.querySelector("span")});
      }
    });
    function fail(message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      button.disabled = false;
    }
    errorBox.hidden = true;
    if (!items.length) { fail("Choose a video first."); return; }
    for (var i = 0; i < items.length; i++) {
      if (items[i].file.size > maxBytes) {
        fail(items[i].file.name + " is larger than the limit of " +
             form.getAttribute("data-max-mib") + " MiB; film a shorter clip.");
        return;
      }
    }
    button.disabled = true;
    var ids = [];
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        return sendFile(form.getAttribute("data-upload-url"), token, item).then(function (body) {
          ids.push([body.upload_id, item.view]);
        });
      });
    });
    chain.then(function () {
      var params = new URLSearchParams();
      ids.forEach(function (pair) { params.append("upload_id", pair[0]); params.append("view", pair[1]); });
      return fetch(form.getAttribute("data-jobs-url"), {
        method: "POST", credentials: "same-origin", body: params,
        headers: {"X-CSRF-Token": token, "Accept": "application/json"}
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { throw new Error(body.detail || ("could not queue the analysis (HTTP " + r.status + ")")); }
          window.location.assign(body.url);
        });
      });
    }).catch(function (err) { fail(err.message); });
  });
}());
