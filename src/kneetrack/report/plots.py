"""Report plots: matplotlib figures built without pyplot, written as SVG.

Every function takes plain data (``analysis.json`` pieces) and returns a
:class:`matplotlib.figure.Figure` or ``None`` when there is nothing to draw;
:func:`figure_svg` turns a figure into SVG text. No global matplotlib state is
touched (no ``pyplot``, no ``matplotlib.use``); style settings apply only
inside :func:`figure_svg` / :func:`figure_png`.

Colours are the Okabe–Ito palette, safe for the common colour-vision
deficiencies (Okabe M, Ito K (2008) Color Universal Design).
"""

from __future__ import annotations

import base64
import io
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

#: Okabe–Ito colours.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: Leg colours used everywhere in the report and the annotated video.
LEG_COLOURS = {"left": OKABE_ITO["blue"], "right": OKABE_ITO["vermillion"]}
LEG_MARKERS = {"left": "o", "right": "s"}
BAND_COLOUR = "#E8E8E8"
#: Individual steps drawn per leg behind the mean ± SD (more only add file size).
MAX_TRACES = 12
HIGH_COLOUR = "#F6E3D6"

_STYLE: Any = {
    "svg.fonttype": "none",  # text stays text: small files, crisp on phones
    "svg.hashsalt": "kneetrack",  # stable ids, reproducible output
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "font.size": 11.5,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#222222",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}

METRIC_LABELS = {
    "fppa_deg": "Knee angle (FPPA)",
    "hip_adduction_deg": "Hip adduction",
    "pelvic_drop_deg": "Pelvic drop",
    "knee_flexion_deg": "Knee flexion",
    "fppa_peak_deg": "Knee angle (FPPA) peak",
    "hip_adduction_peak_deg": "Hip adduction peak",
    "pelvic_drop_peak_deg": "Pelvic drop peak",
    "shank_angle_ic_deg": "Shank angle at contact",
    "knee_flexion_ic_deg": "Knee flexion at contact",
    "foot_strike_angle_deg": "Foot angle at contact",
}


#: Figure width (inches at 100 px each). A phone shows the plot about 360 px wide: at
#: 4.2 in, text keeps 85 % of its size (10.5 pt ticks stay about 12 px high).
FIGURE_WIDTH_IN = 4.2
#: A trend line needs at least this many steps of one leg (Dingenen 2018: average at
#: least 7 steps per side; with fewer, a slope is mostly noise).
TREND_MIN_STANCES = 8
#: Colour of withheld steps (flagged implausible: drawn, but not used).
WITHHELD_COLOUR = "#9A9A9A"


def _new_figure(width_in: float = FIGURE_WIDTH_IN, height_in: float = 3.3) -> Figure:
    return Figure(figsize=(width_in, height_in), layout="constrained")


def is_withheld(stance: Mapping[str, Any]) -> bool:
    """Whether a stance is flagged as withheld (``withheld`` or ``rejected``: true or a reason)."""
    return any(bool(stance.get(k)) for k in ("withheld", "rejected"))


def trend(t: np.ndarray, v: np.ndarray) -> tuple[float, float, float] | None:
    """Linear change of ``v`` over the span of ``t`` with its 95 % confidence interval.

    Returns ``(change, low, high)`` in the units of ``v``, or ``None`` with fewer
    than :data:`TREND_MIN_STANCES` points or no spread in time.

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> change, lo, hi = trend(t, 2 * t + np.array([0, .1, -.1] * 3 + [0]))
    >>> round(change, 1), lo < change < hi
    (18.0, True)
    """
    from scipy.special import stdtrit

    ok = np.isfinite(t) & np.isfinite(v)
    t, v = t[ok], v[ok]
    if t.size < TREND_MIN_STANCES or np.ptp(t) <= 0:
        return None
    slope, icpt = np.polyfit(t, v, 1)
    res = v - (icpt + slope * t)
    se = math.sqrt(float(res @ res) / (t.size - 2) / float(((t - t.mean()) ** 2).sum()))
    half = float(stdtrit(t.size - 2, 0.975)) * se * float(np.ptp(t))
    change = float(slope * np.ptp(t))
    return change, change - half, change + half


def figure_svg(fig: Figure) -> str:
    """Render ``fig`` to SVG text (deterministic: no date, fixed ids)."""
    buf = io.StringIO()
    with mpl.rc_context(_STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "kneetrack"})
    return buf.getvalue()


def figure_png(fig: Figure, *, dpi: int = 110) -> bytes:
    """Render ``fig`` to PNG bytes."""
    buf = io.BytesIO()
    with mpl.rc_context(_STYLE):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "kneetrack"})
    return buf.getvalue()


def data_uri(data: str | bytes, mime: str) -> str:
    """A ``data:`` URI for inline images."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def _styled(fig_fn: Any) -> Any:
    """Build figures inside the style context so that axes pick up the style."""

    def wrapper(*args: Any, **kwargs: Any) -> Figure | None:
        with mpl.rc_context(_STYLE):
            return fig_fn(*args, **kwargs)

    wrapper.__doc__ = fig_fn.__doc__
    wrapper.__name__ = fig_fn.__name__
    wrapper.__wrapped__ = fig_fn  # type: ignore[attr-defined]
    return wrapper


def _as_matrix(rows: Any, n_points: int) -> np.ndarray:
    """Per-stance curves as a (stances, points) float array; bad rows dropped."""
    good = []
    for r in rows or []:
        try:
            a = np.asarray(r, dtype=float)
        except (TypeError, ValueError):
            continue
        if a.shape == (n_points,) and np.isfinite(a).sum() >= n_points // 2:
            good.append(a)
    return np.vstack(good) if good else np.empty((0, n_points))


def _band(ax: Any, band: Mapping[str, Any] | None, *, horizontal: bool = True) -> None:
    if not band or band.get("typical_max") is None:
        return
    lo = float(band["typical_max"])
    hi = float(band["high_min"]) if band.get("high_min") is not None else None
    y0, y1 = ax.get_ylim()
    top = max(y1, lo + 2.0)
    ax.axhline(lo, color="#888888", lw=0.9, ls="--", zorder=1)
    ax.text(0.995, lo, f"typical ≤ {lo:g}°", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize=9.5, color="#555555")
    if hi is not None and hi < top:
        ax.axhspan(hi, top, color=HIGH_COLOUR, zorder=0, lw=0)
        ax.text(0.995, hi, f"severe > {hi:g}°", transform=ax.get_yaxis_transform(),
                ha="right", va="bottom", fontsize=9.5, color="#8A4B20")
    ax.set_ylim(y0, top)


@_styled
def stance_curves_figure(curves: Mapping[str, Any], metric: str, *,
                         band: Mapping[str, Any] | None = None) -> Figure | None:
    """Per-stance curves of one metric over 0–100 % stance, left vs right, mean ± SD band.

    Parameters
    ----------
    curves
        The ``curves`` block of ``analysis.json``: ``percent_stance`` (101
        values) and per leg ``{metric: [[101 values] per stance]}``.
    metric
        Curve name, e.g. ``"fppa_deg"`` or ``"hip_adduction_deg"``.
    band
        Display band (``typical_max``, ``high_min``) drawn behind the curves.

    Returns
    -------
    Figure or None
        ``None`` when neither leg has a curve of this metric.
    """
    pct = np.asarray(curves.get("percent_stance") or np.linspace(0, 100, 101), dtype=float)
    data = {leg: _as_matrix((curves.get(leg) or {}).get(metric), pct.size)
            for leg in ("left", "right")}
    if all(m.shape[0] == 0 for m in data.values()):
        return None
    fig = _new_figure()
    ax = fig.add_subplot()
    for leg, m in data.items():
        if m.shape[0] == 0:
            continue
        col = LEG_COLOURS[leg]
        shown = np.unique(np.linspace(0, m.shape[0] - 1, min(m.shape[0], MAX_TRACES)).astype(int))
        for row in m[shown]:
            ax.plot(pct, row, color=col, lw=0.6, alpha=0.25, zorder=2)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
            mean = np.nanmean(m, axis=0)
            sd = np.nanstd(m, axis=0, ddof=1) if m.shape[0] > 1 else np.zeros_like(mean)
        ax.fill_between(pct, mean - sd, mean + sd, color=col, alpha=0.18, lw=0, zorder=3)
        ax.plot(pct, mean, color=col, lw=2.2, zorder=4,
                label=(f"{leg.capitalize()}: mean ± SD of {m.shape[0]} steps" if m.shape[0] > 1
                       else f"{leg.capitalize()}: 1 step"),
                ls="-" if leg == "left" else (0, (5, 1.5)))
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of stance (foot contact → toe-off)")
    ax.set_ylabel(f"{METRIC_LABELS.get(metric, metric)} (°)")
    ax.axhline(0, color="#999999", lw=0.6, zorder=1)
    _band(ax, band)
    fig.legend(loc="outside upper center", fontsize=10, ncols=1)
    return fig


@_styled
def peaks_over_run_figure(stances: Sequence[Mapping[str, Any]], metric: str, *,
                          band: Mapping[str, Any] | None = None) -> Figure | None:
    """Per-stance peak of one metric across the run, per leg, with a linear trend (fatigue drift).

    Returns
    -------
    Figure or None
        ``None`` when no stance has the metric.
    """
    pts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for leg in ("left", "right"):
        raw = [(_float(s.get("contact_s")), _float(s.get(metric)), is_withheld(s))
               for s in stances if s.get("leg") == leg]
        tv = sorted((t, v, w) for t, v, w in raw if t is not None and v is not None)
        if tv:
            arr = np.array(tv, dtype=float)
            pts[leg] = (arr[:, 0], arr[:, 1], arr[:, 2] > 0)
    if not pts:
        return None
    fig = _new_figure(FIGURE_WIDTH_IN, 3.4)
    ax = fig.add_subplot()
    any_withheld = False
    for leg, (t, v, held) in pts.items():
        col = LEG_COLOURS[leg]
        label = leg.capitalize()
        used_t, used_v = t[~held], v[~held]
        fit = trend(used_t, used_v)
        if fit is not None:
            change, lo, hi = fit
            label += f": trend {change:+.1f}° (95 % CI {lo:+.1f} to {hi:+.1f})"
            slope, icpt = np.polyfit(used_t, used_v, 1)
            tt = np.array([used_t.min(), used_t.max()])
            ax.plot(tt, icpt + slope * tt, color=col, lw=1.4, ls="--", zorder=2)
        elif used_t.size:
            label += f": {used_t.size} step{'s' if used_t.size != 1 else ''}, too few for a trend"
        ax.plot(used_t, used_v, LEG_MARKERS[leg], color=col, ms=5.5, mec="white", mew=0.6,
                zorder=3, label=label)
        if held.any():
            any_withheld = True
            ax.plot(t[held], v[held], LEG_MARKERS[leg], color=WITHHELD_COLOUR, ms=5.5,
                    mfc="none", mew=1.2, zorder=3)
    if any_withheld:
        ax.plot([], [], "o", color=WITHHELD_COLOUR, mfc="none", mew=1.2,
                label="withheld step (implausible, not used)")
    ax.set_xlabel("time of foot contact (s)")
    ax.set_ylabel(f"{METRIC_LABELS.get(metric, metric)} (°)")
    _band(ax, band)
    fig.legend(loc="outside upper center", fontsize=10, ncols=1)
    return fig


def step_cadence(stances: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Step-by-step cadence (steps/min) from consecutive contacts of either leg.

    Gaps longer than 1.6 × the median step time (a missed step, or the runner
    leaving the frame) are skipped rather than shown as a slow step.

    Returns
    -------
    time_s, cadence_spm : ndarray
        Time of the second contact of each step pair and the cadence of that step.

    Examples
    --------
    >>> t, c = step_cadence([{"contact_s": 0.0}, {"contact_s": 0.35}, {"contact_s": 0.7}])
    >>> [round(x) for x in c]
    [171, 171]
    """
    t = np.sort(np.array([float(s["contact_s"]) for s in stances
                          if _finite(s.get("contact_s"))]))
    if t.size < 2:
        return np.empty(0), np.empty(0)
    dt = np.diff(t)
    med = float(np.median(dt))
    ok = (dt > 0) & (dt < 1.6 * med)
    return t[1:][ok], 60.0 / dt[ok]


def withheld_steps(stances: Sequence[Mapping[str, Any]], t: np.ndarray) -> np.ndarray:
    """For each step ending at contact time ``t``, whether that stance is withheld."""
    held = {round(float(s["contact_s"]), 6) for s in stances
            if _finite(s.get("contact_s")) and is_withheld(s)}
    return np.array([round(float(x), 6) in held for x in t], dtype=bool)


def cadence_range(c: np.ndarray, ref: float) -> tuple[float, float]:
    """The y-range of the cadence plot: the clip's steps, not its outliers.

    Steps within 4 median absolute deviations (at least 15 steps/min) of the
    median, the clip cadence and the +10 % target zone are in range; a step far
    outside (a missed or a spurious contact) is drawn at the edge instead.

    Examples
    --------
    >>> cadence_range(np.array([170., 172, 168, 171, 330]), 170)
    (160.0, 195.0)
    """
    med = float(np.median(c))
    spread = max(15.0, 4.0 * float(np.median(np.abs(c - med))))
    inside = c[np.abs(c - med) <= spread]
    lo = min(float(inside.min()) if inside.size else med, ref) - 8
    hi = max(float(inside.max()) if inside.size else med, ref * 1.10) + 8
    return float(np.floor(round(lo, 6) / 5) * 5), float(np.ceil(round(hi, 6) / 5) * 5)


@_styled
def cadence_figure(stances: Sequence[Mapping[str, Any]],
                   cadence_spm: float | None = None) -> Figure | None:
    """Step-by-step cadence across the run, with the clip's cadence as a line.

    The y-range follows the steps, not an outlier (:func:`cadence_range`): steps
    beyond it are drawn as triangles on the edge. Withheld steps are hollow grey.
    """
    t, c = step_cadence(stances)
    if t.size < 2:
        return None
    held = withheld_steps(stances, t)
    fig = _new_figure(FIGURE_WIDTH_IN, 3.3)
    ax = fig.add_subplot()
    ref = float(cadence_spm) if cadence_spm is not None and _finite(cadence_spm) \
        else float(np.median(c[~held] if (~held).any() else c))
    lo, hi = cadence_range(c[~held] if (~held).sum() >= 2 else c, ref)
    shown = np.clip(c, lo, hi)
    off = (c < lo) | (c > hi)
    green = OKABE_ITO["green"]
    ax.plot(t, shown, "-", color=green, lw=1.2, alpha=0.6, zorder=2)
    ok = ~held & ~off
    ax.plot(t[ok], c[ok], "o", color=green, ms=4.5, mec="white", mew=0.5, zorder=3,
            label="each step")
    for sel, marker in ((c > hi, "^"), (c < lo, "v")):
        if sel.any():
            ax.plot(t[sel], shown[sel], marker, color=green, ms=7, zorder=4, clip_on=False,
                    mfc=green if not held[sel].all() else "none")
    if off.any():
        ax.plot([], [], "^", color=green, ms=7, label="step off the scale")
    if held.any():
        ax.plot(t[held & ~off], c[held & ~off], "o", color=WITHHELD_COLOUR, mfc="none",
                mew=1.2, ms=5, zorder=3)
        ax.plot([], [], "o", color=WITHHELD_COLOUR, mfc="none", mew=1.2,
                label="withheld step (not used)")
    ax.axhline(ref, color="#333333", lw=1.2, ls="--", zorder=1,
               label=f"clip cadence {ref:.0f} steps/min")
    ax.axhspan(ref * 1.05, ref * 1.10, color=OKABE_ITO["sky_blue"], alpha=0.18, lw=0,
               label="+5–10 % target zone")
    ax.set_ylim(lo, hi)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("steps/min")
    fig.legend(loc="outside upper center", fontsize=10, ncols=1)
    return fig


@_styled
def contact_strip_figure(crops: Sequence[Mapping[str, Any]]) -> Figure | None:
    """Side-view strip: one image per contact frame (already annotated crops).

    Parameters
    ----------
    crops
        ``{"image": (H, W, 3) uint8, "title": str}`` per panel, at most 8.
    """
    crops = [c for c in crops if c.get("image") is not None][:8]
    if not crops:
        return None
    n = len(crops)
    h = max(c["image"].shape[0] for c in crops)
    w = sum(c["image"].shape[1] for c in crops)
    height_in = 2.6
    fig = Figure(figsize=(max(3.0, min(10.0, height_in * w / h + 0.2)), height_in + 0.3))
    for i, c in enumerate(crops):
        ax = fig.add_subplot(1, n, i + 1)
        ax.imshow(c["image"])
        ax.set_title(c.get("title", ""), fontsize=8.5, color=c.get("colour", "#222222"))
        ax.set_axis_off()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.88, wspace=0.04)
    return fig


def _float(v: Any) -> float | None:
    return float(v) if _finite(v) else None


def _finite(v: Any) -> bool:
    if v is None or isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


#: Curves drawn over 0–100 % stance, with the summary metric whose band they use.
_CURVE_PLOTS = (
    ("fppa_deg", "fppa_peak_deg", "Knee angle (FPPA) through stance",
     "Thin lines: single steps (up to 12 per leg); thick line and band: mean ± SD of all steps. "
     "Positive = knee inside the hip–ankle line (valgus)."),
    ("hip_adduction_deg", "hip_adduction_peak_deg", "Hip adduction through stance",
     "Positive = thigh turned in toward the midline."),
    ("pelvic_drop_deg", "pelvic_drop_peak_deg", "Pelvic drop through stance",
     "Positive = the hip on the swinging side is lower."),
    ("knee_flexion_deg", None, "Knee flexion through stance", "0° = straight knee."),
)
_PEAK_PLOTS = (
    ("fppa_peak_deg", "Knee angle (FPPA) peak, step by step",
     "A rising trend over the clip can be a sign of fatigue; a trend is drawn from 8 steps "
     "of a leg, with its 95 % confidence interval."),
    ("hip_adduction_peak_deg", "Hip adduction peak, step by step",
     "A rising trend over the clip can be a sign of fatigue; a trend is drawn from 8 steps "
     "of a leg, with its 95 % confidence interval."),
    ("pelvic_drop_peak_deg", "Pelvic drop peak, step by step",
     "Positive = the hip on the swinging side is lower."),
    ("shank_angle_ic_deg", "Shank angle at contact, step by step",
     "Positive = foot lands ahead of the knee (overstriding)."),
)


def report_figures(analysis: Mapping[str, Any],
                   bands: Mapping[str, Mapping[str, Any]] | None = None,
                   ) -> list[tuple[str, str, str, Figure]]:
    """All report plots that the analysis has data for.

    Returns
    -------
    list of (id, title, caption, Figure)
        In display order; plots without data are left out.
    """
    bands = bands or {}
    out: list[tuple[str, str, str, Figure]] = []
    curves = analysis.get("curves") or {}
    for curve, metric, title, caption in _CURVE_PLOTS:
        fig = stance_curves_figure(curves, curve, band=bands.get(metric) if metric else None)
        if fig is not None:
            out.append((f"curve-{curve.removesuffix('_deg').replace('_', '-')}", title, caption,
                        fig))
    stances = [s for s in (analysis.get("stances") or []) if isinstance(s, Mapping)]
    for metric, title, caption in _PEAK_PLOTS:
        fig = peaks_over_run_figure(stances, metric, band=bands.get(metric))
        if fig is not None:
            out.append((f"peaks-{metric.removesuffix('_deg').replace('_', '-')}", title, caption,
                        fig))
    # no cadence: the clip failed the plausibility gate, its steps must not be shown as a rate
    fig = (cadence_figure(stances, analysis.get("cadence_spm"))
           if analysis.get("cadence_spm") is not None else None)
    if fig is not None:
        out.append(("cadence", "Cadence, step by step",
                    "Steps per minute between consecutive foot contacts. The shaded zone is "
                    "5–10 % above your own cadence, the usual first retraining target.", fig))
    return out
