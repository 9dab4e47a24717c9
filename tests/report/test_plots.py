"""Report plots: drawn from the analysis, empty data gives no plot, no global matplotlib state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from kneetrack.report.plots import (
    LEG_COLOURS,
    OKABE_ITO,
    cadence_figure,
    contact_strip_figure,
    figure_svg,
    peaks_over_run_figure,
    report_figures,
    stance_curves_figure,
    step_cadence,
)

from .helpers import make_analysis


def _svg_root(fig):
    return ET.fromstring(figure_svg(fig))


def test_curves_mean_line_matches_data():
    a = make_analysis(fppa=(14.0, 6.0), steps=10)
    fig = stance_curves_figure(a["curves"], "fppa_deg")
    ax = fig.axes[0]
    # the thick mean line of each leg peaks near the leg's mean peak (shape peaks at 1.0)
    means = [ln for ln in ax.get_lines() if ln.get_linewidth() > 2]
    assert len(means) == 2
    peaks = sorted(float(np.nanmax(ln.get_ydata())) for ln in means)
    assert peaks == pytest.approx([6.0, 14.0], abs=0.5)
    colours = {ln.get_color().upper() for ln in means}
    assert colours == {LEG_COLOURS["left"].upper(), LEG_COLOURS["right"].upper()}
    assert _svg_root(fig).tag.endswith("svg")


def test_curves_absent_metric_gives_no_figure():
    a = make_analysis(view="side-right")
    assert stance_curves_figure(a["curves"], "fppa_deg") is None
    assert stance_curves_figure({}, "fppa_deg") is None
    # malformed rows are dropped, not drawn
    bad = {"percent_stance": list(range(101)), "left": {"fppa_deg": [[1, 2, 3], None]}}
    assert stance_curves_figure(bad, "fppa_deg") is None


def test_peaks_figure_trend_in_legend():
    a = make_analysis(steps=12, drift_left=9.0)
    fig = peaks_over_run_figure(a["stances"], "fppa_peak_deg")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    left = next(t for t in texts if t.startswith("Left"))
    # least-squares trend over the clip: 3° spread + 9° drift = +12°
    assert "+12.0°" in left
    assert peaks_over_run_figure(a["stances"], "shank_angle_ic_deg") is None


def _legend(fig) -> list[str]:
    return [t.get_text() for t in fig.legends[0].get_texts()]


def test_trend_needs_eight_steps_and_carries_its_confidence_interval():
    from kneetrack.report.plots import TREND_MIN_STANCES, trend

    assert TREND_MIN_STANCES == 8
    t = np.arange(7.0)
    assert trend(t, t) is None  # 7 steps: no trend
    change, lo, hi = trend(np.arange(8.0), np.arange(8.0) * 2)
    assert change == pytest.approx(14.0) and lo == pytest.approx(14.0) == hi  # no scatter
    rng = np.random.default_rng(1)
    change, lo, hi = trend(np.arange(12.0), rng.normal(0, 2, 12))
    assert lo < change < hi and hi - lo > 2  # noise: a wide interval around a small slope

    few = make_analysis(steps=6, drift_left=9.0)
    fig = peaks_over_run_figure(few["stances"], "fppa_peak_deg")
    left = next(t for t in _legend(fig) if t.startswith("Left"))
    assert "too few for a trend" in left and "trend +" not in left
    assert not [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    many = make_analysis(steps=12, drift_left=9.0)
    left = next(t for t in _legend(peaks_over_run_figure(many["stances"], "fppa_peak_deg"))
                if t.startswith("Left"))
    assert "95 % CI" in left


def test_withheld_steps_are_drawn_apart_and_left_out_of_the_trend():
    a = make_analysis(steps=12, drift_left=9.0)
    stances = [dict(s) for s in a["stances"]]
    lefts = [s for s in stances if s["leg"] == "left"]
    lefts[-1]["fppa_peak_deg"] = 80.0  # an implausible step ...
    lefts[-1]["withheld"] = "implausible knee angle"  # ... flagged by the gate
    fig = peaks_over_run_figure(stances, "fppa_peak_deg")
    texts = _legend(fig)
    assert any("withheld" in t for t in texts)
    left = next(t for t in texts if t.startswith("Left"))
    change = float(left.split("trend ")[1].split("°")[0])
    assert change < 20  # the 80° step would drag the trend far up
    hollow = [ln for ln in fig.axes[0].get_lines() if ln.get_markerfacecolor() == "none"
              and len(ln.get_xdata())]
    assert hollow and 80.0 in list(hollow[0].get_ydata())
    lefts[-1].pop("withheld")
    lefts[-1]["rejected"] = True  # the other spelling
    assert any("withheld" in t for t in _legend(peaks_over_run_figure(stances, "fppa_peak_deg")))


def test_cadence_plot_keeps_a_sensible_range_and_marks_outliers_and_withheld_steps():
    contacts = list(np.arange(0, 6, 0.35))
    contacts.insert(9, contacts[8] + 0.05)  # a spurious contact: one step at 1200 steps/min
    stances = [{"contact_s": float(x)} for x in contacts]
    stances[4]["withheld"] = True
    fig = cadence_figure(stances, 171.4)
    lo, hi = fig.axes[0].get_ylim()
    assert 140 <= lo < 171.4 * 0.95 and 171.4 * 1.10 < hi <= 205
    texts = _legend(fig)
    assert "step off the scale" in texts and "withheld step (not used)" in texts
    clean = cadence_figure([{"contact_s": float(x)} for x in np.arange(0, 6, 0.35)], 171.4)
    assert "step off the scale" not in _legend(clean)


def test_step_cadence_skips_gaps():
    contacts = [0.0, 0.35, 0.70, 1.05, 2.10, 2.45]  # one missed step between 1.05 and 2.10
    t, c = step_cadence([{"contact_s": x} for x in contacts])
    assert c == pytest.approx([171.43] * 4, abs=0.01)
    assert 2.10 not in t
    assert step_cadence([{"contact_s": 1.0}])[0].size == 0
    assert cadence_figure([{"contact_s": 1.0}]) is None


def test_report_figures_front_and_side():
    ids = [f[0] for f in report_figures(make_analysis())]
    assert ids[:3] == ["curve-fppa", "curve-hip-adduction", "curve-pelvic-drop"]
    assert "peaks-fppa-peak" in ids and "cadence" in ids
    side = [f[0] for f in report_figures(make_analysis(view="side-left"))]
    assert "curve-fppa" not in side and "curve-knee-flexion" in side
    assert "peaks-shank-angle-ic" in side
    assert report_figures({"stances": []}) == []


def test_contact_strip_figure():
    img = np.zeros((60, 40, 3), np.uint8)
    fig = contact_strip_figure([{"image": img, "title": "Left"}, {"image": img, "title": "Right"}])
    assert len(fig.axes) == 2
    assert contact_strip_figure([]) is None


def test_palette_is_okabe_ito():
    assert set(LEG_COLOURS.values()) <= set(OKABE_ITO.values())


_SVG_IN_A_PROCESS = """
import json, sys
from kneetrack.report.plots import figure_svg, report_figures
analysis = json.load(sys.stdin)
for _, _, _, fig in report_figures(analysis):
    sys.stdout.write(figure_svg(fig))
"""


def test_svg_is_deterministic():
    """Same analysis, same bytes: in two processes whose string hashing differs, a second apart."""
    a = make_analysis()
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _SVG_IN_A_PROCESS], input=json.dumps(a),
                             env=env, capture_output=True, text=True, check=True, timeout=120)
        outputs.append(out.stdout)
        time.sleep(1.1)                     # a date taken from the clock would differ
    assert outputs[0].count("<svg") >= 7    # every plot of the report, not an empty run
    assert outputs[0] == outputs[1]
    assert outputs[0] == "".join(figure_svg(fig) for _, _, _, fig in report_figures(a))


def test_import_has_no_matplotlib_side_effects():
    # dict.__getitem__: reading rcParams['backend'] normally resolves (and imports pyplot)
    code = ("import matplotlib, sys; b = dict.__getitem__(matplotlib.rcParams, 'backend');"
            "import kneetrack.report.plots, kneetrack.report.html, kneetrack.app.report;"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported';"
            "assert dict.__getitem__(matplotlib.rcParams, 'backend') == b; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
