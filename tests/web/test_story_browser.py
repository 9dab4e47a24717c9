"""The web app's acceptance story in Debian's Chromium (Playwright), against a real server.

``kneetrack serve`` runs on loopback with one job worker (MediaPipe, the local
process pool). The clinician creates the owner account and invites an athlete;
the athlete sets a password on a phone-sized screen, uploads the shared running
video, follows the job until the report appears with the annotated video (the
numbers on the page must match the stored ``analysis.json``), answers the
screening, gets a plan, logs two sessions and sees progress; the clinician then
sees the athlete flagged. Screenshots at 390 px and 1280 px go to
``out/test-artifacts/web/``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kneetrack.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "out" / "test-artifacts" / "web"
PASSWORD = "correct horse battery"
WIDTHS = (390, 1280)
sys.path.insert(0, str(REPO / "tests" / "report"))
from browser import ARGS, CHROMIUM, require_chromium  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """``kneetrack serve`` on a free loopback port, with one job worker; stopped afterwards."""
    port = _free_port()
    db = tmp_path / "kneetrack.db"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "kneetrack", "serve", "--db", str(db),
                             "--port", str(port), "--job-workers", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > end:
                    log.flush()
                    pytest.fail("server did not start:\n" + (tmp_path / "server.log").read_text())
                time.sleep(0.3)
        yield {"base": base, "db": db, "proc": proc, "log": tmp_path / "server.log"}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # uvicorn shuts down; the lifespan stops workers
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def shoot(page: Any, name: str) -> None:
    """Full-page screenshots at phone and desktop widths (the page is left at its own width)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    own = page.viewport_size
    for w in WIDTHS:
        page.set_viewport_size({"width": w, "height": 900})
        page.wait_for_timeout(150)
        page.screenshot(path=str(SHOTS / f"{name}-{w}.png"), full_page=True)
    page.set_viewport_size(own)


def test_story_in_chromium(server: dict[str, Any], shared_data: Path) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    video = shared_data / "video" / "running_side_outdoor.mp4"
    base = server["base"]
    outside: list[str] = []
    problems: list[str] = []

    def watch(page: Any) -> Any:
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith((base, "data:", "blob:")) else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        return page

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # ---- the clinician creates the owner account and invites an athlete (desktop)
            clin = watch(browser.new_context(viewport={"width": 1280, "height": 900},
                                             base_url=base).new_page())
            clin.goto("/")
            expect(clin).to_have_url(re.compile(r"/setup$"))
            clin.fill("#name", "Olga Owner")
            clin.fill("#email", "olga@clinic.test")
            clin.fill("#password", PASSWORD)
            clin.fill("#password2", PASSWORD)
            clin.click("button[type=submit]")
            expect(clin).to_have_url(re.compile(r"/athletes$"))
            clin.fill("#name", "Ann Runner")
            clin.click("text=Add and make an invitation link")
            link = clin.locator("#invite-link").inner_text().strip()
            assert re.fullmatch(rf"{re.escape(base)}/invite/\S+", link), link
            shoot(clin, "01-invitation")

            # ---- the athlete sets a password on a phone
            ath = watch(browser.new_context(viewport={"width": 390, "height": 844},
                                            base_url=base, is_mobile=True).new_page())
            ath.goto(link)
            ath.fill("#name", "Ann Runner")
            ath.fill("#email", "ann@runner.test")
            ath.fill("#password", PASSWORD)
            ath.fill("#password2", PASSWORD)
            ath.click("button[type=submit]")
            expect(ath).to_have_url(re.compile(r"/athletes/\d+$"))
            athlete_id = int(ath.url.rsplit("/", 1)[1])

            # ---- uploads the shared video (a progress bar), waits for the job
            ath.click("#upload-link")
            expect(ath).to_have_url(re.compile(rf"/athletes/{athlete_id}/upload$"))
            ath.set_input_files("#clip1-file", str(video))
            shoot(ath, "02-upload")
            # Keep the progress bar's last state across the navigation that follows the upload.
            ath.evaluate("""() => { const bar = document.getElementById('clip1-progress');
                new MutationObserver(() => sessionStorage.setItem('bar',
                    `${bar.hidden ? 'hidden' : 'shown'} ${bar.value}/${bar.max}`))
                .observe(bar, {attributes: true}); }""")
            ath.click("#upload-button")
            expect(ath).to_have_url(re.compile(rf"/athletes/{athlete_id}/jobs/\d+$"),
                                    timeout=60_000)
            size = video.stat().st_size
            assert ath.evaluate("() => sessionStorage.getItem('bar')") == f"shown {size}/{size}"
            shoot(ath, "03-job-waiting")
            status = ath.locator("#job-status")
            deadline = time.monotonic() + 300
            while status.get_attribute("data-status") not in ("done", "failed"):
                assert time.monotonic() < deadline, "the job did not finish in 5 minutes"
                ath.wait_for_timeout(500)  # HTMX polls the status every 2 s
            assert status.get_attribute("data-status") == "done", \
                ath.locator("#job-status").inner_text()
            shoot(ath, "04-job-done")

            # ---- the report appears with the annotated video; its numbers are analysis.json's
            ath.click("#report-link-1")
            expect(ath).to_have_url(re.compile(rf"/athletes/{athlete_id}/analyses/\d+$"))
            analysis_id = int(ath.url.rsplit("/", 1)[1])
            ath.wait_for_function("() => { const v = document.getElementById('annotated');"
                                  " return v && (v.error !== null || v.readyState >= 2); }",
                                  timeout=30_000)
            state = ath.evaluate("() => { const v = document.getElementById('annotated');"
                                 " return {error: v.error && v.error.code, w: v.videoWidth,"
                                 " d: v.duration}; }")
            assert state["error"] is None and state["w"] > 0 and state["d"] > 1.0, state
            st = open_store(str(server["db"]))
            try:
                stored = next(a for a in st.list_analyses(athlete_id) if a.id == analysis_id)
                assert stored.artefact_dir is not None
                import json

                doc = json.loads((stored.artefact_dir / "analysis.json").read_text())
            finally:
                st.close()
            assert ath.locator("#view").inner_text().strip() == doc["view"]
            assert int(ath.locator("#stance-count").inner_text()) == len(doc["stances"])
            cadence = ath.locator("#cadence").get_attribute("data-value")
            assert cadence == str(doc["cadence_spm"])
            for i, s in enumerate(doc["stances"], 1):
                row = ath.locator(f"tr[data-stance='{i}']")
                assert row.locator(f".leg-{s['leg']}").count() == 1
                assert row.get_attribute("data-leg") == s["leg"]
                assert f"{s['contact_s']:.2f} s" in row.inner_text()
                cells = row.locator("td")
                for col, key in enumerate(("fppa_peak_deg", "hip_adduction_peak_deg",
                                           "pelvic_drop_peak_deg"), 1):
                    want = "—" if s.get(key) is None else f"{s[key]:.1f}°"
                    assert cells.nth(col).inner_text().strip() == want, (i, key)
                seek = row.locator("[data-seek]")
                assert float(seek.get_attribute("data-seek")) == s["contact_s"]
            tracked = doc["quality"]["tracked_fraction"]
            assert f"{100 * tracked:.0f} %" in ath.locator("#summary").inner_text()
            shoot(ath, "05-report")

            # ---- answers the screening and gets a plan
            ath.goto(f"/athletes/{athlete_id}/screening")
            ath.select_option("#q-level", "beginner")
            ath.select_option("#q-has_pain", "yes")
            ath.fill("#q-pain_worst_0_10", "4")
            ath.fill("#q-pain_weeks", "8")
            ath.click("text=Save the screening")
            expect(ath).to_have_url(re.compile(rf"/athletes/{athlete_id}(#screening)?$"))
            assert "Last screening" in ath.locator("#screening").inner_text()
            ath.click("#programme button[type=submit]")
            expect(ath).to_have_url(re.compile(rf"/athletes/{athlete_id}/week$"))
            shoot(ath, "06-week")

            # ---- logs two sessions (every exercise of the first two, one tap each)
            sessions = ath.locator("section.session:has(ul.exercises)")
            assert sessions.count() >= 2, "the plan has fewer than two exercise sessions"
            logged = 0
            for k in range(2):
                buttons = sessions.nth(k).locator("button[data-exercise]")
                n = buttons.count()
                assert n >= 1
                for _ in range(n):
                    form = sessions.nth(k).locator("form").first
                    form.locator("input[name=pain]").fill("5")
                    form.locator("button[data-exercise]").click()
                    logged += 1
                    expect(ath.locator("[data-logged]")).to_have_count(logged)
            shoot(ath, "07-logged")

            # ---- sees progress
            ath.goto(f"/athletes/{athlete_id}/progress")
            done = int(ath.locator("#adherence-done").inner_text())
            assert done >= 1
            assert ath.locator("#pain-trend").count() == 1
            shoot(ath, "08-progress")

            # ---- the clinician sees the athlete flagged
            clin.goto("/athletes")
            row = clin.locator(f"li[data-athlete='{athlete_id}']")
            flags = row.locator("[data-flag]").evaluate_all("els => els.map(e => e.dataset.flag)")
            assert flags, row.inner_text()
            assert "referral" in flags  # pain for 8 weeks: a referral was advised
            shoot(clin, "09-athletes-flagged")
        finally:
            browser.close()
    assert outside == [], f"pages loaded things from elsewhere: {outside}"
    assert problems == [], problems
