"""The batch summary: one row per runner (video), as CSV and as a small HTML page."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kneetrack.batch.jobs import Job
from kneetrack.core.atomic import write_text_atomic

#: Per-leg summary metrics shown for every runner (``summary.<leg>.<metric>.mean``).
LEG_METRICS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg")

COLUMNS = (
    ["name", "status", "reason", "attempts", "seconds", "input", "out_dir", "view", "fps",
     "frames", "duration_s", "tracked_fraction", "cadence_spm"]
    + [f"{leg}_stances" for leg in ("left", "right")]
    + [f"{leg}_{m}_mean" for leg in ("left", "right") for m in LEG_METRICS]
    + ["findings", "finding_codes", "warnings", "warning_text"]
)


def _num(x: Any, nd: int = 2) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return round(float(x), nd)


def _leg_mean(analysis: dict[str, Any], leg: str, metric: str) -> float | None:
    block = (analysis.get("summary") or {}).get(leg) or {}
    v = block.get(metric)
    if isinstance(v, dict):
        return _num(v.get("mean"))
    if v is not None:
        return _num(v)
    vals = [s.get(metric) for s in analysis.get("stances") or []
            if s.get("leg") == leg and _num(s.get(metric)) is not None]
    return _num(sum(vals) / len(vals)) if vals else None


def _leg_stances(analysis: dict[str, Any], leg: str) -> int:
    block = (analysis.get("summary") or {}).get(leg) or {}
    if isinstance(block.get("stances"), int):
        return int(block["stances"])
    return sum(1 for s in analysis.get("stances") or [] if s.get("leg") == leg)


def summary_row(job: Job, record: dict[str, Any] | None) -> dict[str, Any]:
    """One runner's row: key metrics from its ``analysis.json`` plus its batch status."""
    rec = record or {}
    row: dict[str, Any] = {c: None for c in COLUMNS}
    row.update(name=job.name, input=str(job.input), out_dir=str(job.out_dir),
               status=rec.get("status", "pending"), reason=rec.get("reason"),
               attempts=rec.get("attempts"), seconds=rec.get("seconds"))
    path = job.out_dir / "analysis.json"
    if not path.is_file():
        if row["status"] == "done":
            row["status"] = "pending"
        return row
    try:
        a = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        row.update(status="failed", reason=f"unreadable analysis.json ({err})")
        return row
    row["status"] = "done"
    row["reason"] = None
    inp = a.get("input") or {}
    quality = a.get("quality") or {}
    findings = a.get("findings") or []
    row.update(
        view=a.get("view"), fps=_num(inp.get("fps")), frames=inp.get("frames"),
        duration_s=_num(inp.get("duration_s")),
        tracked_fraction=_num(quality.get("tracked_fraction"), 3),
        cadence_spm=_num(a.get("cadence_spm"), 1),
        findings=len(findings),
        finding_codes=" ".join(sorted({f"{f.get('code')}:{f.get('leg') or '-'}" for f in findings
                                       if isinstance(f, dict)})),
        warnings=len(quality.get("warnings") or []),
        warning_text=" | ".join(str(w.get("text", w) if isinstance(w, dict) else w)
                                for w in quality.get("warnings") or []),
    )
    for leg in ("left", "right"):
        row[f"{leg}_stances"] = _leg_stances(a, leg)
        for m in LEG_METRICS:
            row[f"{leg}_{m}_mean"] = _leg_mean(a, leg, m)
    return row


def write_csv(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    """Write the summary CSV atomically."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return write_text_atomic(path, buf.getvalue())


def write_html(rows: Sequence[dict[str, Any]], path: Path, *, title: str) -> Path:
    """Write the summary page (self-contained HTML, links to each runner's folder)."""
    from importlib.resources import files

    import jinja2

    src = files("kneetrack.batch").joinpath("templates/summary.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("done", "failed", "pending")}
    html = env.from_string(src).render(
        title=title, rows=rows, counts=counts, metrics=LEG_METRICS,
        rel=lambda p: _relative(Path(p), path.parent),
    )
    return write_text_atomic(path, html)


def _relative(p: Path, base: Path) -> str:
    try:
        return p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return p.resolve().as_uri()
