"""``kneetrack progress``: retest verdicts, adherence and pain trend, printed and plotted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kneetrack.cli.athlete import db_option
from kneetrack.cli.main import app
from kneetrack.errors import InputError

VERDICT_STYLE = {
    "improved": "green",
    "worse": "red",
    "no real change": "yellow",
    "not measured": "dim",
}


@app.command("progress")
def progress(
    athlete: str = typer.Option(..., "--athlete", "-a", help="Athlete name."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Trend plot (.png/.svg/.pdf); default NAME-progress.png."
    ),
    no_plot: bool = typer.Option(False, "--no-plot", help="Print only."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Report as of YYYY-MM-DD (default today)."
    ),
    db: str | None = db_option(),
) -> None:
    """Show whether anything really changed: retests against the smallest detectable difference."""
    from kneetrack.app.athletes import open_db
    from kneetrack.app.progress import progress_report

    day = None
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"--as-of must be YYYY-MM-DD, got {as_of!r}") from None
    with open_db(db) as store:
        rep = progress_report(store, athlete, as_of=day,
                              plot=False if no_plot else (plot or True))
    con = Console()
    con.print(f"[bold]{rep.athlete.name}[/] — progress as of {rep.as_of}")
    if not rep.analyses:
        con.print("no analyses stored yet (kneetrack analyze VIDEO --athlete NAME)")
    for cmp, advice in zip(rep.retests, rep.advice, strict=True):
        t = Table(
            "metric",
            "leg",
            "baseline",
            "now",
            "change",
            "SDD",
            "verdict",
            title=f"{cmp.followup.view} retest {cmp.followup.recorded_on} vs "
            f"{cmp.baseline.recorded_on} ({cmp.weeks:g} weeks)",
        )
        for c in cmp.changes:
            label, unit = rep.metric_labels[c.metric]
            fmt = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
            style = VERDICT_STYLE.get(c.verdict, "")
            t.add_row(
                label,
                c.leg or "both",
                fmt(c.baseline),
                fmt(c.followup),
                "–" if c.change is None else f"{c.change:+.1f}",
                f"{c.sdd:g} {unit}",
                f"[{style}]{c.verdict}[/]" + (" ⚠" if c.warning else ""),
            )
        con.print(t)
        con.print(advice, highlight=False)
        for warning in dict.fromkeys(c.warning for c in cmp.changes if c.warning):
            con.print(f"  ⚠ {warning}", highlight=False)
    if rep.retest_advice:
        con.print(rep.retest_advice)
    if rep.adherence is not None and rep.adherence.weeks:
        t = Table("week", "from", "planned", "logged", "%", "strength work %", title="adherence")
        for w in rep.adherence.weeks:
            t.add_row(
                str(w.week),
                str(w.start),
                str(w.planned),
                str(w.done),
                "–" if w.pct is None else f"{w.pct:.0f}",
                "–" if w.strength_pct is None else f"{w.strength_pct:.0f}",
            )
        con.print(t)
        con.print(
            f"overall adherence: {rep.adherence.pct:.0f} % of planned sessions logged"
            if rep.adherence.pct is not None
            else "no sessions planned yet"
        )
        if rep.adherence.strength_pct is not None:
            con.print(
                f"strength work done: {rep.adherence.strength_pct:.0f} % of the planned "
                "sets × reps (runs do not count)"
            )
    if rep.pain is not None and rep.pain.weeks:
        weekly = "  ".join(f"w{w.week}: {w.max:g}" for w in rep.pain.weeks)
        con.print(
            f"pain (worst per week): {weekly} — trend {rep.pain.trend}"
            + (f", [red]{rep.pain_advice}[/]" if rep.pain_advice else "")
        )
    for d in rep.decisions:
        week = f"week {d.week}" if d.week else "plan"
        con.print(
            f"{week} (adapted {d.made_on}): {d.decision}"
            + (f" — {'; '.join(d.reasons)}" if d.reasons else ""),
            highlight=False,
        )
    if rep.plot_path is not None:
        typer.echo(f"wrote {rep.plot_path}")
