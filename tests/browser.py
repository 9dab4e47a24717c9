"""Open a page in headless Debian Chromium (Playwright) and say what a person would see.

Shared by the browser tests of the report (``tests/report``) and of the programme page
(``tests/programme``): one way to find Chromium, skip or fail without it, open a page
at a given viewport and keep its screenshot under ``out/test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: Debian's Chromium; ``KNEETRACK_CHROMIUM`` names another executable (e.g. an unpacked package).
CHROMIUM = os.environ.get("KNEETRACK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTEFACTS = Path(__file__).resolve().parents[1] / "out" / "test-artifacts"


def chromium_executable() -> str | None:
    """The Chromium binary: ``CHROMIUM`` when it exists, else ``chromium`` on the PATH."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def require_chromium() -> str:
    """The Chromium binary; skip without it or Playwright outside CI, fail in CI (``CI`` set)."""
    exe = chromium_executable()
    missing = [] if exe else [f"Chromium ({CHROMIUM}; apt-get install chromium)"]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    if missing:
        msg = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    assert exe is not None
    return exe


@contextmanager
def chromium_page(*, width: int, height: int) -> Iterator[Any]:
    """A fresh Playwright page in headless Chromium with a ``width`` × ``height`` viewport.

    The browser is closed on leaving the block, whatever happens in it.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def keep_screenshot(page: Any, screenshot: Path, *, full_page: bool = True) -> Path:
    """Save a screenshot of ``page`` to ``screenshot`` and a copy under ``out/test-artifacts/``."""
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=full_page)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot, ARTEFACTS / screenshot.name)
    return screenshot


def inspect_page(html: Path, screenshot: Path, *, width: int = 412,
                 height: int = 915) -> dict[str, Any]:
    """Load ``html`` (a file), wait for images and video, screenshot the whole page.

    Returns console errors, page errors, requests that left the machine, the
    state of every image and video element, and the section ids.
    """
    errors: list[str] = []
    network: list[str] = []
    with chromium_page(width=width, height=height) as page:
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
        keep_screenshot(page, screenshot)
    state.update(errors=errors, network=network, screenshot=screenshot)
    return state


_LAYOUT_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const visible = r => r.width > 0 && r.height > 0;
  const label = el => (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
      + ' ' + (el.textContent || el.alt || '').trim().slice(0, 40));
  const overflow = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (visible(r) && (r.right > vw + 1 || r.left < -1)) overflow.push(label(el));
  }
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let small = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    if (el.closest('details:not([open])') && !el.closest('summary')) continue;  // folded away
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(visible);
    if (!rects.length) continue;
    if (parseFloat(cs.fontSize) < 12) small.push(label(el) + ' ' + cs.fontSize);
    for (const r of rects) boxes.push({r, el, text: node.textContent.trim().slice(0, 30)});
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 2) overlaps.push(boxes[i].text + ' | ' + boxes[j].text);
    }
  }
  const imgs = sel => [...document.querySelectorAll(sel)].map(i => {
      const r = i.getBoundingClientRect(); return {w: r.width, h: r.height, right: r.right}; });
  return {viewport: vw, overflow, overlaps, small: [...new Set(small)],
          plots: imgs('figure.plot:not(.strip) > img'), thumbs: imgs('ul.thumbs img'),
          captions: [...document.querySelectorAll('.thumb-caption')].map(c => {
              const r = c.getBoundingClientRect();
              return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }),
          scrollX: document.documentElement.scrollWidth > window.innerWidth + 1};
}"""


def inspect_layout(html: Path, screenshot: Path, *, width: int,
                   height: int = 844) -> dict[str, Any]:
    """Load ``html`` at ``width`` px and measure its layout; keep a full-page screenshot.

    Returns elements sticking out of the viewport (``overflow``), pairs of text
    boxes that overlap (``overlaps``, from each text node's client rectangles),
    text smaller than 12 px (``small``), the rendered size of every plot and
    thumbnail, the thumbnail captions' boxes, and whether the page scrolls sideways.
    The screenshot is also copied to ``out/test-artifacts/``.
    """
    with chromium_page(width=width, height=height) as page:
        page.goto(html.resolve().as_uri())
        page.wait_for_load_state("load")
        state = page.evaluate(_LAYOUT_JS)
        keep_screenshot(page, screenshot)
    state["screenshot"] = screenshot
    return state
