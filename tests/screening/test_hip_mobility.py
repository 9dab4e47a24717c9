"""Hip mobility (Thomas, Ober, internal rotation) and hip external-rotation strength.

Schema fields, plain-words notes against the norms, the clinician-assisted
questions, and how these answers reach the causes engine.
"""

from __future__ import annotations

import pytest

from kneetrack.assessment import CauseInference
from kneetrack.errors import InputError
from kneetrack.screening.norms import interpret, load_thresholds
from kneetrack.screening.questionnaire import Questionnaire
from kneetrack.screening.schema import parse_screening
from kneetrack.screening.selftests import get_selftest, interpret_selftests


def screen(**tests):
    return parse_screening({"schema": "kneetrack.screening/1", "tests": tests})


def notes(s, topic):
    return [n for n in interpret(s) if n.topic == topic]


# ------------------------------------------------------------------------ schema
def test_new_fields_round_trip():
    s = screen(
        thomas_test_deg={"left": -12.0, "right": 3.0},
        ober_test_deg={"left": -25.0},
        hip_internal_rotation_deg={"left": 34, "right": 22},
        hip_external_rotation_nm_per_kg={"left": 0.4, "right": 0.45},
    )
    doc = s.to_dict()
    assert doc["tests"]["thomas_test_deg"] == {"left": -12.0, "right": 3.0}
    assert doc["tests"]["ober_test_deg"] == {"left": -25.0}
    assert parse_screening(doc).to_dict() == doc


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("thomas_test_deg", 120, "thomas_test_deg.left"),
        ("ober_test_deg", -95, "ober_test_deg.left"),
        ("hip_internal_rotation_deg", -5, "hip_internal_rotation_deg.left"),
        ("hip_internal_rotation_deg", 100, "hip_internal_rotation_deg.left"),
    ],
)
def test_impossible_angles_are_one_clear_line(field, value, match):
    with pytest.raises(InputError, match=match):
        parse_screening({"tests": {field: {"left": value}}})


# ------------------------------------------------------------------------- norms
def test_thomas_test_reading_and_sign():
    th = load_thresholds()["thomas_test"]
    assert th["flag_above_deg"] == pytest.approx(
        (th["rated_tight"]["mean"] + th["rated_not_tight"]["mean"]) / 2, abs=0.5
    )
    by_leg = {
        n.leg: n for n in notes(screen(thomas_test_deg={"left": -15, "right": 4}), "thomas_test")
    }
    assert by_leg["left"].status == "ok" and "below the horizontal" in by_leg["left"].text
    assert by_leg["right"].status == "flag"
    assert "positive Thomas test" in by_leg["right"].text
    assert "above" in by_leg["right"].text
    side = by_leg[None]
    assert side.status == "flag" and side.value == 19 and "right" in side.text
    # A thigh a little below horizontal but above the cut-off: tight, not "positive".
    mild = notes(screen(thomas_test_deg={"left": -5}), "thomas_test")[0]
    assert mild.status == "flag" and "positive" not in mild.text and "below" in mild.text


def test_ober_and_internal_rotation_readings():
    ober = {n.leg: n for n in notes(screen(ober_test_deg={"left": -28, "right": -18}), "ober_test")}
    assert (ober["left"].status, ober["right"].status) == ("ok", "flag")
    assert "iliotibial band" in ober["right"].text
    assert ober[None].value == 10 and "right side is tighter" in ober[None].text
    close = {n.leg for n in notes(screen(ober_test_deg={"left": -30, "right": -25}), "ober_test")}
    assert close == {"left", "right"}  # 5 deg apart: within the measurement error
    ir = {
        n.leg: n
        for n in notes(
            screen(hip_internal_rotation_deg={"left": 36, "right": 20}), "hip_internal_rotation"
        )
    }
    assert (ir["left"].status, ir["right"].status) == ("ok", "flag")
    assert ir[None].value == 16 and "right hip turns in" in ir[None].text


def test_external_rotation_strength_reading():
    got = {
        n.leg: n
        for n in notes(
            screen(hip_external_rotation_nm_per_kg={"left": 0.30, "right": 0.45}),
            "hip_external_rotation_strength",
        )
    }
    assert (got["left"].status, got["right"].status) == ("flag", "ok")
    assert got[None].status == "flag" and got[None].value == pytest.approx(33.3, abs=0.1)


def test_selftests_have_instructions_and_collect_their_notes():
    for tid in (
        "thomas_test",
        "ober_test",
        "hip_internal_rotation",
        "hip_external_rotation_strength",
    ):
        text = get_selftest(tid).instructions()
        assert "1." in text and len(text) > 200
    assert "+5" in get_selftest("thomas_test").instructions()
    s = screen(thomas_test_deg={"left": 2}, hip_internal_rotation_deg={"right": 40})
    by = interpret_selftests(s)
    assert by["thomas_test"][0].status == "flag"
    assert by["hip_internal_rotation"][0].status == "ok"


# ---------------------------------------------------------------- questionnaire
class Script:
    def __init__(self, lines):
        self.lines = list(lines)
        self.prompts: list[str] = []
        self.told: list[str] = []

    def ask(self, prompt):
        self.prompts.append(prompt)
        return self.lines.pop(0) if self.lines else ""

    def tell(self, text):
        self.told.append(text)


def _tests_section():
    q = Questionnaire()
    q.sections = [s for s in q.sections if s[0] == "tests"]
    return q


def test_hip_mobility_questions_are_gated_and_signed():
    qn = _tests_section()
    # knee-to-wall, side plank, navicular, FPI, abduction dynamometer: no;
    # ER dynamometer: yes 0.3 / 0.42; hip mobility: yes; Thomas yes (+4, bad 95, -12);
    # Ober no; internal rotation yes (bad -3, 22, 35).
    sc = Script(
        [
            "n",
            "n",
            "n",
            "n",
            "n",
            "y",
            "0.3",
            "0,42",
            "n",  # no hamstring:quadriceps ratio
            "y",
            "y",
            "+4",
            "95",
            "-12",
            "n",
            "y",
            "-3",
            "22",
            "35",
            "n",  # no hip abduction range
        ]
    )
    answers = qn.ask(sc.ask, tell=sc.tell)
    assert any("95 is out of range" in t for t in sc.told)
    assert any("-3 is out of range" in t for t in sc.told)
    assert any(t.startswith("Thomas test") for t in sc.told)  # the self-test intro
    s = qn.to_screening(answers)
    assert (s.tests.thomas_test_deg.left, s.tests.thomas_test_deg.right) == (4, -12)
    assert s.tests.ober_test_deg is None
    assert (s.tests.hip_internal_rotation_deg.left, s.tests.hip_internal_rotation_deg.right) == (
        22,
        35,
    )
    assert s.tests.hip_external_rotation_nm_per_kg.right == pytest.approx(0.42)


def test_hip_mobility_gate_no_skips_every_hip_question():
    qn = _tests_section()
    sc = Script(["n"] * 8)  # seven test gates and the H:Q ratio, then the hip gate
    answers = qn.ask(sc.ask, tell=sc.tell)
    assert answers.get("do_hip_mobility") is False
    assert "measure your hip mobility" in sc.prompts[-1]  # nothing asked after the gate
    assert not any(
        "Thomas test, LEFT" in p or "Hip internal rotation, LEFT" in p for p in sc.prompts
    )


# ------------------------------------------------------------ causes engine
def _codes(s):
    return {c["code"] for c in CauseInference().infer(None, s).causes_}


def test_tight_thomas_or_stiff_hip_alone_suggests_hip_mobility():
    assert "hip_mobility" in _codes(screen(thomas_test_deg={"left": -14, "right": 2}))
    assert "hip_mobility" in _codes(screen(hip_internal_rotation_deg={"left": 20, "right": 30}))
    assert "hip_mobility" not in _codes(
        screen(
            thomas_test_deg={"left": -14, "right": -12},
            hip_internal_rotation_deg={"left": 35, "right": 38},
        )
    )


def test_tight_ober_alone_is_not_enough_but_supports():
    assert "hip_mobility" not in _codes(screen(ober_test_deg={"left": -15, "right": -17}))
    both = parse_screening(
        {"tests": {"ober_test_deg": {"left": -15}}, "symptoms": {"pain_locations": ["hip"]}}
    )
    result = CauseInference().infer(None, both)
    cause = next(c for c in result.causes_ if c["code"] == "hip_mobility")
    assert any("Ober" in line for line in cause["evidence"])


def test_weak_hip_strength_suggests_hip_weakness():
    assert "hip_abductor_weakness" in _codes(screen(hip_abduction_nm_per_kg={"left": 1.3}))
    er_only = screen(hip_external_rotation_nm_per_kg={"left": 0.3, "right": 0.32})
    assert "hip_abductor_weakness" not in _codes(er_only)  # supporting evidence only
    # Weak external rotators are a key line: with a collapsing single-leg squat they
    # suggest hip weakness even when abduction strength is normal.
    both = screen(
        hip_external_rotation_nm_per_kg={"left": 0.3},
        hip_abduction_nm_per_kg={"left": 1.7, "right": 1.8},
        single_leg_squat_fppa_deg={"left": 14, "right": 6},
    )
    result = CauseInference().infer(None, both)
    cause = next(c for c in result.causes_ if c["code"] == "hip_abductor_weakness")
    assert any("external rotators" in line for line in cause["evidence"])
