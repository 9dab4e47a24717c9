// kneetrack web: the stance table seeks the annotated video (no inline scripts: the CSP forbids them).
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("[data-seek]");
  if (!btn) { return; }
  var video = document.getElementById("annotated");
  if (!video) { return; }
  ev.preventDefault();
  video.currentTime = parseFloat(btn.getAttribute("data-seek"));
  video.scrollIntoView({behavior: "smooth", block: "center"});
  video.play().catch(function () { /* autoplay may be refused; the frame is shown anyway */ });
});
document.addEventListener("submit", function (ev) {
  var msg = ev.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});
