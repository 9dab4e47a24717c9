"""Open a report in headless Debian Chromium (Playwright) and say what a person would see."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

#: Debian's Chromium; ``KNEETRACK_CHROMIUM`` names another executable (e.g. an unpacked package).
CHROMIUM = os.environ.get("KNEETRACK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTEFACTS = Path(__file__).resolve().parents[2] / "out" / "test-artifacts"


def require_chromium() -> None:
    """Skip without Chromium/Playwright outside CI; fail in CI (``CI`` set)."""
    missing = []
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing.append(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    if missing:
        msg = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def inspect_page(html: Path, screenshot: Path, *, width: int = 412,
                 height: int = 915) -> dict[str, Any]:
    """Load ``html`` (a file), wait for images and video, screenshot the whole page.

    Returns console errors, page errors, requests that left the machine, the
    state of every image and video element, and the section ids.
    """
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    network: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                    else shutil.which("chromium"), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            page.on("request", lambda r: network.append(r.url)
                    if not r.url.startswith(("file:", "data:")) else None)
            page.goto(html.resolve().as_uri())
            page.wait_for_load_state("load")
            has_video = page.locator("video").count() > 0
            if has_video:
                page.wait_for_function(
                    "() => { const v = document.querySelector('video');"
                    " return v.error !== null || v.readyState >= 2; }", timeout=15000)
            state = page.evaluate("""() => ({
                images: [...document.images].map(i => ({
                    alt: i.alt, ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth})),
                videos: [...document.querySelectorAll('video')].map(v => ({
                    error: v.error ? v.error.code : null, ready: v.readyState,
                    w: v.videoWidth, h: v.videoHeight, duration: v.duration})),
                sections: [...document.querySelectorAll('[data-section]')]
                    .map(s => s.dataset.section),
                overflowX: document.documentElement.scrollWidth > window.innerWidth + 1,
            })""")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot, ARTEFACTS / screenshot.name)
    state.update(errors=errors, network=network, screenshot=screenshot)
    return state
