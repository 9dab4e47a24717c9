import io
import json

import pytest
from kneetrack_synthetic.squat import make_single_leg_squat

from kneetrack.cli.main import main
from kneetrack.io.trc import write_trc


def _stdin(monkeypatch, lines):
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{x}\n" for x in lines)))


# One line per question in asking order (athlete, symptoms, training, shoes, tests).
ANSWERS_TYPED = [
    # about you: level, sex, age, height, mass, dominant leg, equipment
    "2", "female", "34", "168", "61", "right", "1,3",
    # symptoms: has pain, where, leg, worst (bad, bad, good), weeks (bad, good), then 8 x no
    "y", "1", "left", "14", "four", "4", "-3", "6", "n", "n", "n", "n", "n", "n", "n",
    # training: km (text first), runs, years, increase, change
    "lots", "30", "3", "2", "40", "added hills",
    # shoes: type, km, months, orthotics
    "1", "900", "14", "n",
    # tests: knee-to-wall yes, left (negative first), right; side plank yes, 45, 60;
    # navicular no, FPI no, dynamometer no, external rotation no, H:Q ratio no, hip mobility no
    "y", "-5", "9", "12", "y", "45", "60", "n", "n", "n", "n", "n", "n",
]


def test_interactive_screen_reprompts_and_writes(tmp_path, monkeypatch, capsys):
    _stdin(monkeypatch, ANSWERS_TYPED)
    out = tmp_path / "s"
    code = main(["screen", "--out", str(out), "--interactive", "--date", "2026-11-26"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = captured.out
    assert "14 is out of range: enter a number from 0 to 10" in text
    assert "'four' is not a number" in text
    assert "-3 is out of range" in text
    assert "'lots' is not a number" in text
    assert "-5 is out of range" in text
    assert "Traceback" not in text + captured.err
    assert "KNEE-TO-WALL" in text.upper()                 # instructions shown
    doc = json.loads((out / "screening.json").read_text())
    assert doc["athlete"] == {"level": "intermediate", "equipment": ["band", "mat"],
                              "sex": "female", "age_years": 34, "height_m": 1.68,
                              "mass_kg": 61.0, "dominant_leg": "right"}
    assert doc["symptoms"]["pain_worst_0_10"] == 4.0
    assert doc["symptoms"]["pain_weeks"] == 6.0
    assert doc["symptoms"]["pain_locations"] == ["anterior_knee"]
    assert doc["training"]["weekly_km"] == 30.0
    assert doc["training"]["recent_change"] == "added hills"
    assert doc["shoes"] == {"type": "neutral", "km": 900.0, "age_months": 14.0, "orthotics": False}
    assert doc["tests"]["knee_to_wall_cm"] == {"left": 9.0, "right": 12.0}
    assert doc["tests"]["side_plank_s"] == {"left": 45.0, "right": 60.0}
    assert "## Worth working on" in (out / "screening.md").read_text()
    assert "wrote" in text


def test_interactive_end_of_input_writes_nothing(tmp_path, monkeypatch, capsys):
    _stdin(monkeypatch, ["2", "female"])
    out = tmp_path / "s"
    assert main(["screen", "--out", str(out), "--interactive"]) == 2
    err = capsys.readouterr().err
    assert "stopped before the questions were finished" in err
    assert not (out / "screening.json").exists()


def test_from_file_and_flags(tmp_path, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"athlete": {"level": "beginner"}, "weekly_km": 20,
                                   "has_pain": "no", "knee_to_wall_right_cm": 11}))
    out = tmp_path / "s"
    code = main(["screen", "--out", str(out), "--answers", str(answers),
                 "--set", "side_plank_left_s=70", "--date", "2026-01-05"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads((out / "screening.json").read_text())
    assert doc["athlete"]["level"] == "beginner"
    assert doc["training"]["weekly_km"] == 20
    assert doc["symptoms"]["pain_worst_0_10"] == 0
    assert doc["tests"]["side_plank_s"] == {"left": 70.0}
    assert doc["date"] == "2026-01-05"


@pytest.mark.parametrize("content, message", [
    ({"pain_worst_0_10": 14}, "answer 'pain_worst_0_10': 14 is out of range"),
    ({"knee_to_wall_left_cm": -4}, "answer 'knee_to_wall_left_cm': -4 is out of range"),
    ({"weekly_km": "a lot"}, "is not a number"),
    ({"symptoms": {"pain_worst_0_10": 14}}, "invalid screening: symptoms.pain_worst_0_10"),
    ({"favourite_colour": "red"}, "unknown answer 'favourite_colour'"),
    ([1, 2], "must hold a JSON object"),
])
def test_bad_answer_files_are_one_line_errors(tmp_path, capsys, content, message):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(content))
    code = main(["screen", "--out", str(tmp_path / "s"), "--answers", str(answers)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s" / "screening.json").exists()


def test_other_usage_errors(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["screen", "--out", str(tmp_path / "s"), "--answers", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["screen", "--out", str(tmp_path / "s"), "--set", "weekly_km"]) == 2
    assert "--set needs ID=VALUE" in capsys.readouterr().err
    assert main(["screen", "--out", str(tmp_path / "s"), "--interactive", "--date", "5/1/26"]) == 2
    assert "date must be YYYY-MM-DD" in capsys.readouterr().err
    assert main(["screen", "--no-interactive"]) == 2
    assert "--out DIR is required" in capsys.readouterr().err


def test_instructions(capsys):
    assert main(["screen", "--instructions"]) == 0
    out = capsys.readouterr().out
    for title in ("## Single-leg squat (video)", "## Knee-to-wall", "## Side plank hold",
                  "## Navicular drop"):
        assert title in out


def test_list_questions(capsys):
    assert main(["screen", "--list-questions"]) == 0
    out = capsys.readouterr().out
    assert "pain_worst_0_10" in out and "0 to 10" in out
    assert "knee_to_wall_left_cm" in out


def test_squat_video_option(tmp_path, capsys):
    sq = make_single_leg_squat(leg="both", n_reps=4, fppa_peak_deg={"left": 15.0, "right": 4.0},
                               seed=31)
    trc = write_trc(sq.keypoints, tmp_path / "squat_px.trc")
    out = tmp_path / "s"
    code = main(["screen", "--out", str(out), "--squat-video", str(trc), "--no-interactive", "-q"])
    text = capsys.readouterr().out
    assert code == 0
    assert "squat, left leg: 4 reps" in text
    doc = json.loads((out / "screening.json").read_text())
    assert doc["tests"]["single_leg_squat_fppa_deg"]["left"] == pytest.approx(15.0, abs=1.5)


def test_interactive_with_answers_file_asks_only_the_rest(tmp_path, monkeypatch, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({
        "athlete": {"level": "beginner", "sex": "male", "age_years": 40, "height_m": 1.8,
                    "mass_kg": 80, "dominant_leg": "left", "equipment": ["band"]},
        "weekly_km": 15}))
    _stdin(monkeypatch, ["n"] + [""] * 60)
    out = tmp_path / "s"
    code = main(["screen", "--out", str(out), "--answers", str(answers), "--interactive"])
    text = capsys.readouterr().out
    assert code == 0
    assert "Age" not in text and "How many kilometres" not in text
    assert "Do you have knee, hip, shin or foot pain" in text
    doc = json.loads((out / "screening.json").read_text())
    assert doc["athlete"]["age_years"] == 40 and doc["training"]["weekly_km"] == 15
    assert doc["symptoms"]["pain_worst_0_10"] == 0


def test_nothing_answered_is_said_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal, no answers
    assert main(["screen", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "nothing was answered" in err and "Nothing stands out" not in err
    assert not (tmp_path / "s" / "screening.json").exists()


def test_summary_of_an_empty_screening_says_nothing_was_answered():
    from kneetrack.screening.schema import parse_screening
    from kneetrack.screening.summary import summary_lines, summary_markdown

    empty = parse_screening({"schema": "kneetrack.screening/1"})
    assert any("Nothing was answered" in line for line in summary_lines(empty))
    assert "Nothing was answered" in summary_markdown(empty)
    answered = parse_screening({"training": {"weekly_km": 20}})
    assert summary_lines(answered) == ["Nothing stands out in the answers and tests given."]
