"""Any contract-shaped analysis renders: missing, null, NaN or odd values never crash the report."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kneetrack.report.html import render_report_html

from .test_html import SECTIONS, parse

numbers = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-1000, 1000), st.text(max_size=3), st.booleans())
stance = st.fixed_dictionaries(
    {"leg": st.sampled_from(["left", "right", "middle", None])},
    optional={k: numbers for k in ("contact_s", "toe_off_s", "fppa_peak_deg",
                                   "hip_adduction_peak_deg", "pelvic_drop_peak_deg",
                                   "shank_angle_ic_deg", "knee_flexion_ic_deg")}
    | {"crossover": st.one_of(st.none(), st.booleans()),
       "foot_strike": st.one_of(st.none(), st.sampled_from(["rearfoot", "forefoot"]))})
finding = st.fixed_dictionaries({}, optional={
    "code": st.text(max_size=20), "leg": st.sampled_from(["left", "right", None]),
    "value": numbers, "threshold": numbers, "text": st.text(max_size=60),
    "severity": st.sampled_from(["mild", "moderate", "severe", "weird", None]),
    "weight": numbers, "reliable": st.one_of(st.none(), st.booleans())})
analysis = st.fixed_dictionaries(
    {"schema": st.just("kneetrack.analysis/1")},
    optional={
        "view": st.sampled_from(["front", "rear", "side-left", "side-right", None, "top"]),
        "input": st.fixed_dictionaries({}, optional={"fps": numbers, "duration_s": numbers,
                                                     "path": st.text(max_size=10),
                                                     "width": st.integers(0, 4000),
                                                     "height": st.integers(0, 4000)}),
        "quality": st.fixed_dictionaries({}, optional={
            "tracked_fraction": numbers,
            "warnings": st.lists(st.one_of(st.text(max_size=30), st.none()), max_size=3),
            "steps_per_side": st.one_of(st.none(), st.fixed_dictionaries(
                {"left": st.integers(0, 50), "right": st.integers(0, 50)}))}),
        "cadence_spm": numbers,
        "stances": st.lists(stance, max_size=12),
        "findings": st.lists(st.one_of(finding, st.none()), max_size=4),
        "summary": st.one_of(st.none(), st.just({}), st.just({"left": None, "right": {}})),
    })
programme = st.one_of(st.none(), st.fixed_dictionaries({}, optional={
    "causes": st.lists(st.fixed_dictionaries({"code": st.text(max_size=10)},
                                             optional={"confidence": numbers,
                                                       "evidence": st.lists(st.text(max_size=9),
                                                                            max_size=2)}),
                       max_size=3),
    "referral": st.fixed_dictionaries({}, optional={
        "needed": st.booleans(), "urgency": st.sampled_from(["none", "soon", "urgent", None]),
        "to": st.one_of(st.text(max_size=10), st.lists(st.text(max_size=8), max_size=2)),
        "reasons": st.lists(st.text(max_size=10), max_size=2)}),
    "weeks": st.lists(st.fixed_dictionaries({"week": st.integers(1, 12)}, optional={
        "phase": st.sampled_from(["foundation", "strength"]),
        "sessions": st.lists(st.fixed_dictionaries({}, optional={
            "kind": st.text(max_size=8), "items": st.lists(st.fixed_dictionaries({}, optional={
                "name": st.text(max_size=8), "sets": numbers, "reps": numbers}), max_size=3)}),
            max_size=2)}), max_size=3),
    "retest": st.one_of(st.none(), st.text(max_size=10), st.fixed_dictionaries(
        {}, optional={"every_weeks": numbers, "dates": st.lists(st.text(max_size=10))}))}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(analysis=analysis, programme=programme)
def test_any_analysis_renders(analysis, programme):
    html = render_report_html(analysis, programme=programme, plots=[], generated="today")
    sections = parse(html).sections
    assert [s for s in sections if s in SECTIONS] == SECTIONS
    assert "nan°" not in html.lower() and "inf°" not in html.lower()
    assert not math.isnan(len(html))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stances=st.lists(stance, max_size=10), cadence=numbers)
def test_any_stances_plot(stances, cadence):
    from kneetrack.report.plots import figure_svg, report_figures

    for _, _, _, fig in report_figures({"stances": stances, "cadence_spm": cadence}):
        assert figure_svg(fig).lstrip().startswith("<?xml")
