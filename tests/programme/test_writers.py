from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time

import icalendar

from kneetrack.programme import generate_programme
from kneetrack.programme.writers import dose_text, render_html, render_ics, write_programme

START = dt.date(2026, 12, 7)


def test_ics_parses_and_has_one_event_per_session(hip_programme, tmp_path):
    paths = write_programme(hip_programme, tmp_path)
    cal = icalendar.Calendar.from_ical(paths["ics"].read_bytes())
    events = cal.walk("VEVENT")
    sessions = [s for w in hip_programme["weeks"] for s in w["sessions"]]
    assert len(events) == len(sessions)
    assert len({str(e["uid"]) for e in events}) == len(events)
    dates = sorted(e.decoded("dtstart") for e in events)
    assert dates[0] == START
    assert dates == sorted(dt.date.fromisoformat(s["date"]) for s in sessions)
    first = next(e for e in events if "Strength" in str(e["summary"]))
    assert "Banded clamshell" in str(first["description"])


_ICS_IN_A_PROCESS = """
import datetime as dt, hashlib, sys
from kneetrack.programme import generate_programme
from kneetrack.programme.writers import render_ics
causes = [{"code": "hip_abductor_weakness", "confidence": 0.7},
          {"code": "core_control", "confidence": 0.4}]
prog = generate_programme(causes, weeks=8, sessions_per_week=3, level="intermediate",
                          equipment=["band"], start=dt.date(2026, 12, 7), cadence_spm=160.0)
sys.stdout.write(hashlib.sha256(render_ics(prog)).hexdigest())
"""


def test_ics_is_deterministic(hip_programme):
    """Same plan, same bytes: in two processes (string hashing differs), a second apart."""
    digests = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _ICS_IN_A_PROCESS], env=env,
                             capture_output=True, text=True, check=True, timeout=120)
        digests.append(out.stdout.strip())
        time.sleep(1.1)                     # a time stamp taken from the clock would differ
    assert digests[0] == digests[1]
    assert digests[0] == hashlib.sha256(render_ics(hip_programme)).hexdigest()


def test_json_round_trips(hip_programme, tmp_path):
    paths = write_programme(hip_programme, tmp_path)
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == hip_programme
    assert not list(tmp_path.glob("*.part"))


def test_html_is_self_contained_and_readable(hip_programme):
    html = render_html(hip_programme)
    assert (
        "<link" not in html
        and "<script" not in html
        and "http" not in html.split("<footer>")[0].lower()
    )
    assert "Hip abductor and external-rotator weakness" in html
    assert "Why we suggest it" in html
    assert "Week 1" in html and "Week 8" in html
    assert "Banded clamshell" in html and "Common mistakes" in html
    assert "8.0°" in html  # the FPPA smallest detectable difference in the retest section
    assert "168 bpm" in html  # +5 % of 160 spm
    text = re.sub(r"<[^>]+>", " ", html).lower()
    assert "diagnosis" in text  # the disclaimer says it is not one


def test_urgent_html_puts_referral_first_and_holds_the_plan(tmp_path):
    ref = {
        "needed": True,
        "urgency": "urgent",
        "to": ["emergency department"],
        "reasons": ["A swollen knee together with fever can mean a joint infection."],
        "flags": [],
    }
    prog = generate_programme(
        [
            {
                "code": "hip_abductor_weakness",
                "confidence": 0.7,
                "name": "Hip",
                "confidence_label": "high",
                "evidence": ["x"],
                "not_assessed": [],
                "summary": "s",
            }
        ],
        weeks=8,
        start=START,
        referral=ref,
    )
    paths = write_programme(prog, tmp_path)
    html = paths["html"].read_text(encoding="utf-8")
    assert html.index("Please see a clinician") < html.index("What we found")
    assert "on hold" in html and "Week 1" not in html
    assert icalendar.Calendar.from_ical(paths["ics"].read_bytes()).walk("VEVENT") == []


def test_dose_text():
    assert dose_text({"sets": 3, "reps": 12, "per_side": True}) == "3 × 12 per side"
    assert dose_text({"sets": 2, "hold_s": 30}) == "2 × 30 s"
    assert dose_text({"sets": 1, "duration_min": 20}) == "20 min"
