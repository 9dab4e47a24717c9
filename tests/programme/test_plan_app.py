from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest

from kneetrack.app.plan import make_plan, plan_files
from kneetrack.cli.main import main
from kneetrack.errors import InputError, SettingsError
from kneetrack.samples import sample_path
from kneetrack.screening.schema import load_screening

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def analysis(*findings, cadence=164.0):
    return {
        "schema": "kneetrack.analysis/1",
        "view": "front",
        "cadence_spm": cadence,
        "summary": {
            "left": {"pelvic_drop_peak_deg": {"mean": 7.0}},
            "right": {"pelvic_drop_peak_deg": {"mean": 4.0}},
        },
        "findings": list(findings),
    }


DROP = {
    "code": "contralateral_pelvic_drop",
    "leg": "left",
    "value": 7.0,
    "threshold": 5.0,
    "severity": "moderate",
    "text": "Left stance: pelvis drops 7°.",
}


@pytest.fixture
def analysis_file(tmp_path) -> Path:
    p = tmp_path / "analysis.json"
    p.write_text(json.dumps(analysis(DROP)), encoding="utf-8")
    return p


def test_plan_files_writes_three_outputs(analysis_file, tmp_path):
    res = plan_files(
        analysis_file,
        screening_path=sample_path("screening_example.json"),
        out_dir=tmp_path / "out",
        weeks=10,
        start="2026-12-07",
        sessions_per_week=2,
    )
    assert set(res.artefacts) == {"json", "html", "ics"}
    prog = json.loads(res.artefacts["json"].read_text(encoding="utf-8"))
    assert prog["schema"] == "kneetrack.programme/1"
    assert len(prog["weeks"]) == 10
    assert {"causes", "referral", "weeks", "cues", "footwear", "retest"} <= set(prog)
    assert prog["causes"][0]["evidence"]
    item = prog["weeks"][0]["sessions"][0]["items"][0]
    assert {"exercise_id", "name", "sets", "load", "cues"} <= set(item)
    assert prog["retest"]["baseline"]["concerns"] == ["pelvic_drop_peak_deg"]


def test_screening_level_and_equipment_are_used(analysis_file, tmp_path):
    scr = load_screening(sample_path("screening_example.json"))
    res = make_plan(json.loads(analysis_file.read_text()), scr, start="2026-12-07")
    assert res.programme["settings"]["level"] == "intermediate"
    assert res.programme["settings"]["equipment"] == ["band", "metronome"]


def test_urgent_screening_holds_plan(analysis_file, tmp_path):
    scr = tmp_path / "s.json"
    scr.write_text(
        json.dumps({"schema": "kneetrack.screening/1", "symptoms": {"locking": True}}),
        encoding="utf-8",
    )
    res = plan_files(analysis_file, screening_path=scr, out_dir=tmp_path / "o")
    assert res.referral["urgency"] == "urgent"
    assert res.programme["weeks"] == []


def test_bad_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        plan_files(tmp_path / "missing.json", out_dir=tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        plan_files(bad, out_dir=tmp_path)
    bad.write_text(json.dumps({"schema": "other/1"}), encoding="utf-8")
    with pytest.raises(InputError, match="schema"):
        plan_files(bad, out_dir=tmp_path)
    with pytest.raises(SettingsError, match="equipment"):
        make_plan(analysis(), equipment=["rowing machine"])
    with pytest.raises(SettingsError, match="YYYY-MM-DD"):
        make_plan(analysis(), start="next monday")


def test_missing_fields_never_crash():
    res = make_plan({"schema": "kneetrack.analysis/1"})
    # no cause: a short maintenance plan, not an 8-week corrective block
    assert res.causes == [] and len(res.programme["weeks"]) == 4
    assert res.programme["kind"] == "maintenance"
    assert res.programme["cadence"]["measured_spm"] is None


def test_cli_plan(analysis_file, tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(
        [
            "plan",
            "--analysis",
            str(analysis_file),
            "--out",
            str(out),
            "--weeks",
            "6",
            "--start",
            "2026-12-07",
            "--sessions-per-week",
            "2",
            "--level",
            "beginner",
            "--equipment",
            "band,dumbbell",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "associated with" in text and "programme.ics" in text
    cal = icalendar.Calendar.from_ical((out / "programme.ics").read_bytes())
    prog = json.loads((out / "programme.json").read_text())
    assert len(cal.walk("VEVENT")) == sum(len(w["sessions"]) for w in prog["weeks"])
    assert prog["settings"]["equipment"] == ["band", "dumbbell"]


def test_cli_plan_bad_input_prints_one_line(tmp_path, capsys):
    code = main(["plan", "--analysis", str(tmp_path / "nope.json"), "--out", str(tmp_path)])
    assert code != 0
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err


def test_cli_plan_bad_sessions_per_week(analysis_file, tmp_path, capsys):
    code = main(
        [
            "plan",
            "--analysis",
            str(analysis_file),
            "--out",
            str(tmp_path),
            "--sessions-per-week",
            "5",
        ]
    )
    assert code != 0 and "sessions per week" in capsys.readouterr().err


@pytest.mark.skipif(not (EXAMPLES / "make_examples.py").is_file(), reason="examples not present")
@pytest.mark.parametrize(
    "name", ["neutral_runner", "hip_weakness_pelvic_drop", "ankle_limited_overpronator"]
)
def test_worked_examples_are_up_to_date(name, tmp_path):
    folder = EXAMPLES / name
    analysis_data = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    scr = load_screening(folder / "screening.json")
    kept = json.loads((folder / "programme.json").read_text(encoding="utf-8"))
    res = make_plan(
        analysis_data,
        scr,
        start=kept["settings"]["start"],
        weeks=kept["settings"]["weeks"],
        sessions_per_week=kept["settings"]["sessions_per_week"],
    )
    fresh = res.programme
    for key in ("causes", "referral", "weeks", "cues", "footwear"):
        assert fresh[key] == kept[key], f"{name}: {key} changed; run examples/make_examples.py"


def test_high_pain_starts_one_level_lower_and_quality_warnings_are_shown(tmp_path):
    scr = load_screening(sample_path("screening_example.json"))
    scr.symptoms.pain_worst_0_10 = 6
    ana = analysis(DROP)
    ana["quality"] = {"tracked_fraction": 0.8, "warnings": ["only 5 stances on the right leg"]}
    res = make_plan(ana, scr, level="intermediate", out_dir=tmp_path)
    assert res.programme["settings"]["level"] == "beginner"
    assert any("6/10" in n for n in res.notes)
    html = (tmp_path / "programme.html").read_text(encoding="utf-8")
    assert "only 5 stances on the right leg" in html
