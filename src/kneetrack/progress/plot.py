"""Trend plot of retest metrics, pain and adherence (matplotlib, no global state)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from kneetrack.errors import SettingsError
from kneetrack.progress.metrics import MetricSummary
from kneetrack.progress.verdict import AdherenceReport, PainTrend, Thresholds, load_thresholds

LEG_STYLE = {"left": ("tab:blue", "o"), "right": ("tab:orange", "s"), None: ("tab:green", "D")}
PANELS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg", "cadence_spm")


class _AnalysisLike(Protocol):
    @property
    def recorded_on(self) -> dt.date: ...

    @property
    def metrics(self) -> tuple[MetricSummary, ...]: ...


def plot_progress(
    analyses: Sequence[_AnalysisLike],
    path: str | Path,
    *,
    pain: PainTrend | None = None,
    adherence: AdherenceReport | None = None,
    title: str = "",
    thresholds: Thresholds | None = None,
) -> Path:
    """Write a trend figure (PNG, SVG or PDF by suffix) and return its path.

    One panel per tracked metric: each analysis's mean ± SD per leg, with a
    shaded band of ± one smallest detectable difference around the first
    (baseline) value — points outside the band are real changes. A last panel
    shows weekly worst pain and adherence when a programme is running.
    """
    from matplotlib.figure import Figure

    out = Path(path)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise SettingsError(f"plot must be .png, .svg or .pdf, got {out.name!r}")
    th = thresholds or load_thresholds()
    fig = Figure(figsize=(11, 8.5), layout="constrained")
    axes = fig.subplots(3, 2).ravel()
    for ax, metric in zip(axes, PANELS, strict=False):
        rule = th.metrics[metric]
        ax.set_title(f"{rule.label} (SDD {rule.sdd:g} {rule.unit})", fontsize=10)
        ax.set_ylabel(rule.unit)
        plotted = False
        for leg in ("left", "right", None):
            pts = [
                (a.recorded_on, m)
                for a in analyses
                for m in a.metrics
                if m.metric == metric and m.leg == leg and m.mean is not None
            ]
            if not pts:
                continue
            color, marker = LEG_STYLE[leg]
            xs = [p[0] for p in pts]
            ys = [float(p[1].mean or 0.0) for p in pts]  # mean is not None (filtered above)
            es = [p[1].sd or 0.0 for p in pts]
            ax.errorbar(
                xs, ys, yerr=es, color=color, marker=marker, capsize=3, label=leg or "both legs"
            )
            base = ys[0]
            ax.axhspan(base - rule.sdd, base + rule.sdd, color=color, alpha=0.08)
            plotted = True
        if plotted:
            ax.legend(fontsize=8, loc="best")
        else:
            ax.text(
                0.5,
                0.5,
                "not measured in these views",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="grey",
            )
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax = axes[4]
    ax.set_title("Pain (worst per week) and adherence", fontsize=10)
    if pain is not None and pain.weeks:
        ax.plot(
            [w.week for w in pain.weeks],
            [w.max for w in pain.weeks],
            "o-",
            color="tab:red",
            label="worst pain /10",
        )
        ax.axhline(
            th.pain_acceptable_max,
            color="tab:red",
            ls=":",
            lw=1,
            label=f"acceptable ≤ {th.pain_acceptable_max:g}",
        )
        ax.set_ylim(0, 10)
        ax.set_xlabel("programme week")
        ax.legend(fontsize=8, loc="upper left")
    if adherence is not None and adherence.weeks:
        ax2 = ax.twinx()
        ax2.bar(
            [w.week for w in adherence.weeks],
            [w.pct or 0 for w in adherence.weeks],
            alpha=0.2,
            color="tab:grey",
        )
        ax2.set_ylim(0, 110)
        ax2.set_ylabel("% sessions logged")
    if (pain is None or not pain.weeks) and (adherence is None or not adherence.weeks):
        ax.text(
            0.5,
            0.5,
            "no programme logs yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="grey",
        )
    axes[5].axis("off")
    axes[5].text(
        0,
        1,
        "Shaded band: baseline ± smallest detectable difference.\n"
        "Outside it = real change; inside = within measurement error.\n\n"
        + "\n".join(f"{r.label}: SDD {r.sdd:g} {r.unit}" for r in th.metrics.values()),
        va="top",
        fontsize=9,
        transform=axes[5].transAxes,
        wrap=True,
    )
    if title:
        fig.suptitle(title)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    fig.savefig(tmp, dpi=110)
    tmp.replace(out)
    return out
