import json

import pytest
from kneetrack_synthetic.squat import make_single_leg_squat

from kneetrack.app.screen import build_screening, run_screen
from kneetrack.errors import InputError, SettingsError
from kneetrack.io.trc import write_trc
from kneetrack.screening.schema import load_screening


@pytest.fixture(scope="module")
def squat_trc(tmp_path_factory):
    sq = make_single_leg_squat(leg="both", n_reps=5, fppa_peak_deg={"left": 16.0, "right": 5.0},
                               seed=21)
    return write_trc(sq.keypoints, tmp_path_factory.mktemp("sq") / "squat_px.trc")


def test_run_screen_with_answers_and_squat(tmp_path, squat_trc):
    answers = {"athlete": {"sex": "female"}, "pain_worst_0_10": 3, "knee_to_wall_left_cm": "9,5",
               "single_leg_squat_fppa_left_deg": 2.0}
    res = run_screen(tmp_path / "out", answers=answers, squat_video=squat_trc, date="2026-11-26")
    doc = json.loads((tmp_path / "out" / "screening.json").read_text())
    assert doc["schema"] == "kneetrack.screening/1"
    assert doc["date"] == "2026-11-26"
    assert doc["athlete"]["sex"] == "female"
    assert doc["tests"]["knee_to_wall_cm"] == {"left": 9.5}
    fppa = doc["tests"]["single_leg_squat_fppa_deg"]
    # The video measured both legs; it wins over the typed value.
    assert fppa["left"] == pytest.approx(16.0, abs=1.0)
    assert fppa["right"] == pytest.approx(5.0, abs=1.0)
    assert set(doc["tests"]) >= {"single_leg_squat_hip_adduction_deg",
                                 "single_leg_squat_pelvic_drop_deg"}
    video = doc["squat_video"]
    assert video["summary"]["left"]["n_reps"] == 5 and video["summary"]["right"]["n_reps"] == 5
    assert video["source"].endswith("squat_px.trc")
    assert load_screening(tmp_path / "out" / "screening.json").tests.knee_to_wall_cm.left == 9.5
    md = (tmp_path / "out" / "screening.md").read_text()
    assert "## Single-leg squat (video)" in md
    assert res.artefacts["summary"].name == "screening.md"
    assert not list((tmp_path / "out").glob("*.part"))


def test_existing_screening_is_kept_unless_forced(tmp_path):
    out = tmp_path / "o"
    run_screen(out, answers={"weekly_km": 20})
    with pytest.raises(InputError, match="already exists"):
        run_screen(out, answers={"weekly_km": 30})
    assert load_screening(out / "screening.json").training.weekly_km == 20
    run_screen(out, answers={"weekly_km": 30}, force=True)
    assert load_screening(out / "screening.json").training.weekly_km == 30
    assert json.loads((out / "screening.json.bak").read_text())["training"]["weekly_km"] == 20


def test_bad_inputs_are_one_line_errors(tmp_path, squat_trc):
    with pytest.raises(InputError, match="out of range"):
        run_screen(tmp_path / "a", answers={"pain_worst_0_10": 14})
    assert not (tmp_path / "a").exists()
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        build_screening({}, date="26/11/2026")
    with pytest.raises(InputError, match="invalid screening"):
        build_screening({"symptoms": {"pain_worst_0_10": 14}})
    with pytest.raises(SettingsError):
        run_screen(tmp_path / "b", squat_video=squat_trc, squat_view="side-left")
    with pytest.raises(InputError, match="not found"):
        run_screen(tmp_path / "c", squat_video=tmp_path / "missing.mp4")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        run_screen(tmp_path / "file", answers={})


def test_video_without_single_leg_squats_is_an_error(tmp_path):
    sq = make_single_leg_squat(leg="left", n_reps=0)
    trc = write_trc(sq.keypoints, tmp_path / "still_px.trc")
    with pytest.raises(InputError, match="no single-leg squat repetitions"):
        run_screen(tmp_path / "o", squat_video=trc)
    assert not (tmp_path / "o" / "screening.json").exists()


def test_the_interview_runs_through_the_ui_callbacks(tmp_path, squat_trc):
    """What ``kneetrack screen`` does in a terminal, a web page can do with other callbacks."""
    from contextlib import contextmanager

    from kneetrack.app.screen import ScreenUI

    events, prompts = [], []
    replies = iter(["n"] + [""] * 60)

    def ask(prompt):
        prompts.append(prompt)
        return next(replies)

    @contextmanager
    def pose_progress():
        events.append("pose started")
        yield lambda done, total: None
        events.append("pose done")

    ui = ScreenUI(ask=ask, tell=lambda text: None, pose_progress=pose_progress,
                  on_squat=lambda ana: events.append(f"squat {len(ana.reps_)} reps"))
    answers = {"athlete": {"level": "beginner", "sex": "male", "age_years": 40, "height_m": 1.8,
                           "mass_kg": 80, "dominant_leg": "left", "equipment": ["band"]},
               "weekly_km": 15}
    res = run_screen(tmp_path / "o", answers=answers, squat_video=squat_trc, date="2026-11-26",
                     ui=ui)
    assert events == ["pose started", "pose done", "squat 10 reps"]
    assert any("Do you have knee, hip, shin or foot pain" in p for p in prompts)
    assert not any("How many kilometres" in p for p in prompts)      # answered already
    s = load_screening(res.artefacts["screening"])
    assert s.symptoms.pain_worst_0_10 == 0 and s.training.weekly_km == 15
    assert s.tests.single_leg_squat_fppa_deg.left == pytest.approx(16.0, abs=2.0)


def test_an_interrupted_interview_writes_nothing(tmp_path):
    from kneetrack.app.screen import ScreenUI

    def ask(prompt):
        raise EOFError

    with pytest.raises(InputError, match="stopped before the questions were finished"):
        run_screen(tmp_path / "o", ui=ScreenUI(ask=ask, tell=lambda text: None))
    assert not (tmp_path / "o" / "screening.json").exists()


def test_nothing_answered_writes_nothing(tmp_path):
    with pytest.raises(InputError, match="nothing was answered"):
        run_screen(tmp_path / "o", answers={})
    assert not (tmp_path / "o" / "screening.json").exists()
