from __future__ import annotations

import copy

import pytest

from kneetrack.knowledge import load_knowledge
from kneetrack.knowledge.load import FILES, build_knowledge, read_data_file
from kneetrack.knowledge.schema import progression_cycle, referenced_exercise_ids

KB = load_knowledge()

REQUIRED = [
    "banded_clamshell",
    "side_lying_leg_raise",
    "lateral_band_walk",
    "monster_walk",
    "single_leg_rdl",
    "glute_bridge",
    "hip_thrust",
    "single_leg_glute_bridge",
    "single_leg_hip_thrust",
    "banded_squat",
    "banded_deadlift",
    "forearm_plank",
    "side_plank",
    "bird_dog",
    "pallof_press",
    "calf_raise",
    "eccentric_calf_raise",
    "single_leg_calf_raise",
    "toe_yoga",
    "short_foot",
    "kneeling_hip_flexor_stretch",
    "wall_calf_stretch_gastrocnemius",
    "wall_calf_stretch_soleus",
    "knee_to_wall_mobilisation",
    "a_skip",
    "b_skip",
    "carioca",
    "lateral_band_walk_warmup",
]


def raw() -> dict:
    return {name: read_data_file(name) for name in FILES}


def test_issue_exercises_are_all_present():
    missing = [e for e in REQUIRED if e not in KB.exercises]
    assert not missing


def test_every_referenced_exercise_id_exists():
    for where, ids in referenced_exercise_ids(KB).items():
        assert ids <= set(KB.exercises), f"{where}: {sorted(ids - set(KB.exercises))}"


def test_progressions_and_regressions_form_no_cycles():
    assert progression_cycle(KB.exercises, "progressions") is None
    assert progression_cycle(KB.exercises, "regressions") is None


def test_progression_links_are_two_way():
    for ex in KB.exercises.values():
        for nxt in ex.progressions:
            assert ex.id in KB.exercises[nxt].regressions, (ex.id, nxt)


def test_glute_bridge_chain_reaches_single_leg():
    chain, cur = [], "glute_bridge"
    while KB.exercises[cur].progressions:
        cur = KB.exercises[cur].progressions[0]
        chain.append(cur)
    assert chain == ["hip_thrust", "single_leg_hip_thrust"]
    assert KB.exercises["single_leg_hip_thrust"].single_leg


def test_every_entry_is_complete_and_sourced():
    for ex in KB.exercises.values():
        assert ex.instructions and ex.form_points and ex.common_mistakes and ex.contraindications
        assert ex.source and any(ch.isdigit() for ch in ex.source), ex.id  # cites a year
        for level in ("beginner", "intermediate", "advanced"):
            assert level in ex.dosage
        if ex.rep_max:
            assert all(d.reps is None or d.reps <= ex.rep_max for d in ex.dosage.values()), ex.id
    for rule in KB.causes.values():
        assert rule.source and rule.exercises
    for flag in KB.red_flags:
        assert flag.source


def test_every_cause_has_exercises_for_every_phase():
    for rule in KB.causes.values():
        assert set(rule.exercises) == {"foundation", "strength", "integration"}
        assert all(rule.exercises[p] for p in rule.exercises), rule.code


def test_loaded_exercises_address_known_causes():
    for ex in KB.exercises.values():
        assert set(ex.addresses) <= set(KB.causes), ex.id


def test_no_diagnostic_or_causal_wording_in_user_text():
    texts = [c.text for c in KB.cues.values()] + [c.why for c in KB.cues.values()]
    texts += [r.summary for r in KB.causes.values()] + [
        e.because for r in KB.causes.values() for e in r.evidence
    ]
    for t in texts:
        low = t.lower()
        assert "predicts" not in low and "diagnos" not in low, t


def test_cycle_in_data_is_rejected():
    data = copy.deepcopy(raw())
    exs = {e["id"]: e for e in data["exercises.yaml"]["exercises"]}
    exs["single_leg_hip_thrust"]["progressions"] = ["glute_bridge"]
    exs["glute_bridge"]["regressions"] = ["single_leg_hip_thrust"]
    with pytest.raises(ValueError, match="cycle"):
        build_knowledge(data)


def test_dangling_id_is_rejected():
    data = copy.deepcopy(raw())
    data["causes.yaml"]["causes"][0]["exercises"]["foundation"].append("no_such_exercise")
    with pytest.raises(ValueError, match="no_such_exercise"):
        build_knowledge(data)


def test_dose_must_have_exactly_one_measure():
    data = copy.deepcopy(raw())
    data["exercises.yaml"]["exercises"][0]["dosage"]["beginner"] = {
        "sets": 2,
        "reps": 10,
        "hold_s": 30,
    }
    with pytest.raises(ValueError, match="exactly one"):
        build_knowledge(data)


def test_duplicate_ids_are_rejected():
    data = copy.deepcopy(raw())
    data["exercises.yaml"]["exercises"].append(
        copy.deepcopy(data["exercises.yaml"]["exercises"][0])
    )
    with pytest.raises(ValueError, match="duplicate"):
        build_knowledge(data)


def test_urgent_flags_cover_the_issue_list():
    urgent = {f.id for f in KB.red_flags if f.urgency == "urgent"}
    assert {
        "hot_swollen_fever",
        "locking",
        "sudden_large_swelling",
        "cannot_bear_weight",
        "night_or_rest_pain",
        "trauma_ottawa",
    } <= urgent


def test_retest_sdd_values():
    assert KB.rules.retest.sdd_deg == {
        "fppa_peak_deg": 8.0,
        "pelvic_drop_peak_deg": 2.7,
        "hip_adduction_peak_deg": 3.0,
    }
    assert KB.rules.retest.every_weeks == 4
