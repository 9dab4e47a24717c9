"""Analyses: one ``analysis.json`` with its summary metrics, artefact folder and retest link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kneetrack.core.metric_summary import MetricSummary
from kneetrack.errors import InputError
from kneetrack.store.base import StoreBase, as_utc
from kneetrack.store.domain import Analysis, Retest
from kneetrack.store.idempotent import find_same_analysis
from kneetrack.store.orm import AnalysisMetricRow, AnalysisRow, RetestRow


def _retest(r: RetestRow) -> Retest:
    return Retest(
        athlete_id=r.athlete_id,
        baseline_id=r.baseline_id,
        followup_id=r.followup_id,
        id=r.id,
        created_at=as_utc(r.created_at),
    )


class AnalysisRecords(StoreBase):
    """The analysis methods of :class:`~kneetrack.store.repository.Store`."""

    def _analysis(self, s: Session, r: AnalysisRow) -> Analysis:
        metrics = s.scalars(
            select(AnalysisMetricRow)
            .where(AnalysisMetricRow.analysis_id == r.id)
            .order_by(AnalysisMetricRow.id)
        )
        return Analysis(
            athlete_id=r.athlete_id,
            recorded_on=r.recorded_on,
            view=r.view,
            kind=r.kind,
            source_path=r.source_path,
            cadence_spm=r.cadence_spm,
            tracked_fraction=r.tracked_fraction,
            metrics=tuple(
                MetricSummary(m.metric, m.leg, m.mean, m.sd, m.n, m.max) for m in metrics
            ),
            summary=r.summary or {},
            artefact_dir=self.artefacts.resolve(r.artefact_dir),
            id=r.id,
            created_at=as_utc(r.created_at),
        )

    def add_analysis(
        self,
        athlete_id: int,
        analysis: Mapping[str, Any],
        *,
        metrics: Sequence[MetricSummary],
        recorded_on: dt.date | None = None,
        artefact_src: Path | None = None,
        retest_of: int | str | None = "auto",
        in_transaction: Callable[[Session, Analysis], None] | None = None,
    ) -> Analysis:
        """Store one ``analysis.json`` dict with its summary metrics.

        Parameters
        ----------
        athlete_id
            The athlete it belongs to.
        analysis
            The ``analysis.json`` document.
        metrics
            Its summary metrics, worked out by the caller
            (:func:`kneetrack.app.records.record_analysis`); the ``cadence_spm``
            one (``leg=None``) gives the stored cadence.
        recorded_on
            Date of the run (default: today).
        artefact_src
            Analysis folder to copy into the managed artefact folder (``None``:
            store the summary only).
        retest_of
            ``"auto"`` links the analysis as a retest of the athlete's first
            analysis with the same view, if there is one; an id links it to
            that analysis; ``None`` links nothing.
        in_transaction
            Called with the session and the stored analysis inside the storing
            transaction (also when the same analysis was stored already), so a
            caller can record it atomically; raising rolls everything back.
        """
        metrics = tuple(metrics)
        cadence = next(
            (m.mean for m in metrics if m.metric == "cadence_spm" and m.leg is None), None
        )
        inp = analysis.get("input") or {}
        quality = analysis.get("quality") or {}
        keep = {
            k: analysis.get(k)
            for k in ("summary", "findings", "quality", "software", "schema")
            if analysis.get(k) is not None
        }
        day = recorded_on or dt.date.today()
        athlete = self._athlete_row_facts(athlete_id)
        with self._sessions() as s:  # stored already (a rerun after a kill): keep that one
            same = find_same_analysis(
                s, athlete_id, keep, day=day, view=analysis.get("view"),
                source_path=inp.get("path"),
                cadence_spm=cadence)
            if same is not None and in_transaction is None:
                return self._analysis(s, same)
        if same is not None:
            assert in_transaction is not None
            with self.transaction() as s:
                found = self._analysis(s, same)
                in_transaction(s, found)
                return found
        rel = (
            self.artefacts.copy_in(artefact_src, athlete["uid"])
            if artefact_src is not None
            else None
        )
        try:
            with self.transaction() as s:
                row = AnalysisRow(
                    athlete_id=athlete_id,
                    recorded_on=day,
                    view=analysis.get("view"),
                    kind=inp.get("kind"),
                    source_path=inp.get("path"),
                    cadence_spm=cadence,
                    tracked_fraction=quality.get("tracked_fraction"),
                    summary=keep,
                    artefact_dir=rel,
                )
                s.add(row)
                s.flush()
                s.add_all(
                    AnalysisMetricRow(
                        analysis_id=row.id,
                        metric=m.metric,
                        leg=m.leg,
                        mean=m.mean,
                        sd=m.sd,
                        n=m.n,
                        max=m.max,
                    )
                    for m in metrics
                )
                baseline_id = self._retest_target(s, row, retest_of)
                if baseline_id is not None:
                    s.add(
                        RetestRow(
                            athlete_id=athlete_id, baseline_id=baseline_id, followup_id=row.id
                        )
                    )
                s.flush()
                stored = self._analysis(s, row)
                if in_transaction is not None:
                    in_transaction(s, stored)
                return stored
        except BaseException:
            self.artefacts.remove(rel)
            raise

    def _retest_target(
        self, s: Session, row: AnalysisRow, retest_of: int | str | None
    ) -> int | None:
        if retest_of is None:
            return None
        if retest_of == "auto":
            return s.scalar(
                select(AnalysisRow.id)
                .where(
                    AnalysisRow.athlete_id == row.athlete_id,
                    AnalysisRow.id != row.id,
                    AnalysisRow.view == row.view,
                    AnalysisRow.recorded_on <= row.recorded_on,
                )
                .order_by(AnalysisRow.recorded_on, AnalysisRow.id)
                .limit(1)
            )
        base = s.get(AnalysisRow, int(retest_of))
        if base is None or base.athlete_id != row.athlete_id:
            raise InputError(f"analysis {retest_of} is not one of this athlete's analyses")
        return base.id

    def list_analyses(self, athlete_id: int, *, view: str | None = None) -> list[Analysis]:
        """An athlete's analyses in date order (optionally of one view)."""
        with self._sessions() as s:
            q = select(AnalysisRow).where(AnalysisRow.athlete_id == athlete_id)
            if view is not None:
                q = q.where(AnalysisRow.view == view)
            rows = s.scalars(q.order_by(AnalysisRow.recorded_on, AnalysisRow.id)).all()
            return [self._analysis(s, r) for r in rows]

    def list_retests(self, athlete_id: int) -> list[Retest]:
        """An athlete's retest links."""
        with self._sessions() as s:
            return [
                _retest(r)
                for r in s.scalars(
                    select(RetestRow)
                    .where(RetestRow.athlete_id == athlete_id)
                    .order_by(RetestRow.id)
                )
            ]
