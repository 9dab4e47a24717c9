from kneetrack.screening.schema import parse_screening
from kneetrack.screening.selftests import get_selftest, load_selftests
from kneetrack.screening.summary import summary_lines, summary_markdown


def test_red_flags_come_first_and_findings_listed():
    s = parse_screening({
        "date": "2026-11-26",
        "symptoms": {"locking": True, "pain_worst_0_10": 5},
        "tests": {"knee_to_wall_cm": {"left": 8, "right": 12},
                  "side_plank_s": {"left": 80, "right": 82}},
        "shoes": {"type": "stability", "km": 950},
        "training": {"weekly_km": 25, "runs_per_week": 3},
    })
    md = summary_markdown(s)
    assert md.startswith("# Screening summary — 2026-11-26")
    first_flag = md.index("See a doctor")
    assert first_flag < md.index("## Worth working on")
    assert "locks or catches" in md
    assert "| Knee-to-wall | 8 cm | 12 cm |" in md
    assert "950 km" in md and "stability" in md
    assert "## Sources" in md and "Hoch MC" in md
    assert "not a diagnosis" in md
    lines = summary_lines(s)
    assert lines[0].startswith("URGENT")


def test_empty_screening_summary_is_still_readable():
    md = summary_markdown(parse_screening({}))
    # an empty screening says nothing was answered, not that nothing stands out
    assert "Nothing was answered" in md and "Nothing stands out" not in md
    assert "## Self-tests" not in md
    assert summary_lines(parse_screening({})) == [
        "Nothing was answered and no test was done, so nothing could be judged; "
        "answer the questions or do the self-tests first."]


def test_squat_table_from_video_block():
    block = {"summary": {"left": {"n_reps": 5, "fppa_deg": {"mean": 12.34, "sd": 1.2},
                                  "hip_adduction_deg": {"mean": 9.0, "sd": None}},
                         "right": {"n_reps": 0}}}
    md = summary_markdown(parse_screening({"squat_video": block}))
    assert "| left | 5 | 12.3 ± 1.2 deg | 9.0 deg |" in md
    assert "| right | 0 | – |" in md


def test_selftest_instructions_are_complete():
    tests = load_selftests()
    for tid in ("knee_to_wall", "side_plank", "hip_abduction_strength", "navicular_drop",
                "foot_posture_index", "single_leg_squat", "shoes"):
        t = tests[tid]
        assert t.name and t.what_it_shows and len(t.steps) >= 2
        text = t.instructions()
        assert text.startswith(t.name.upper())
        assert "1. " in text
    md = get_selftest("knee_to_wall").instructions(markdown=True)
    assert md.startswith("## Knee-to-wall")
