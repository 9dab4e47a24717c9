"""The programme page in headless Debian Chromium at phone width: this week is above the fold."""

from __future__ import annotations

import datetime as dt

from browser import chromium_page, keep_screenshot, require_chromium
from kneetrack.app.plan import make_plan
from kneetrack.screening.schema import parse_screening

PHONE = {"width": 390, "height": 844}  # iPhone 12-15 CSS viewport


def test_this_week_is_above_the_fold_at_390_px(tmp_path):
    require_chromium()

    analysis = {
        "schema": "kneetrack.analysis/1",
        "view": "front",
        "cadence_spm": 162.0,
        "summary": {},
        "findings": [
            {"code": "contralateral_pelvic_drop", "leg": "left", "value": 8.0,
             "threshold": 5.0, "severity": "moderate"},
            {"code": "hip_adduction", "leg": "left", "value": 14.0, "threshold": 12.0,
             "severity": "mild"},
        ],
    }
    screening = parse_screening(
        {
            "symptoms": {"pain_weeks": 10, "pain_locations": ["anterior_knee"]},
            "tests": {"side_plank_s": {"left": 25, "right": 40},
                      "hip_abduction_nm_per_kg": {"left": 1.2, "right": 1.5}},
        }
    )
    res = make_plan(analysis, screening, start=dt.date(2026, 12, 7), out_dir=tmp_path,
                    equipment=["band"])
    assert res.programme["referral"]["needed"]  # the referral banner is there too
    html = res.artefacts["html"]
    shot = tmp_path / "programme_390.png"
    with chromium_page(**PHONE) as page:
        page.goto(html.resolve().as_uri())
        page.wait_for_load_state("load")
        box = page.locator("#this-week").bounding_box()
        first = page.locator("#this-week .card").first.bounding_box()
        stop = page.locator("#this-week .card .stop").first.bounding_box()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        keep_screenshot(page, shot, full_page=False)
    assert box is not None and first is not None and stop is not None
    assert box["y"] < PHONE["height"] / 3
    # the first session of this week, with its stop rule, is on the first screen
    assert stop["y"] + stop["height"] < PHONE["height"]
    assert not overflow
