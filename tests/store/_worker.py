"""Writers run in other processes by the reliability tests (also runnable as a script).

``python _worker.py bigtx URL ARTEFACTS ATHLETE_ID N``: inserts N logs in ONE
transaction, prints ``MIDWAY`` with half of them flushed, then waits to be killed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

DAY = dt.date(2026, 3, 2)


def log_many(url: str, artefacts: str, athlete: str, n: int, tag: str, go=None) -> None:  # noqa: ANN001
    """Log ``n`` one-exercise sessions, each in its own transaction (after ``go`` is set)."""
    from kneetrack.app.progress import log_session
    from kneetrack.store import open_store

    with open_store(url, artefacts=artefacts) as store:
        if go is not None:
            go.wait(60)
        for i in range(n):
            log_session(
                store,
                athlete,
                [
                    {
                        "exercise_id": "glute_bridge",
                        "sets": 3,
                        "reps": 12,
                        "rpe": 5,
                        "pain": 1,
                        "note": f"{tag}-{i}",
                    }
                ],
                performed_on=DAY + dt.timedelta(days=i % 28),
            )


def big_transaction(url: str, artefacts: str, athlete_id: int, n: int) -> None:
    """Insert ``n`` rows in one transaction; announce the midpoint and hang before commit."""
    from kneetrack.store import open_store
    from kneetrack.store.orm import WorkoutLogRow

    store = open_store(url, artefacts=artefacts)
    with store.transaction() as s:
        for i in range(n):
            s.add(
                WorkoutLogRow(
                    athlete_id=athlete_id,
                    performed_on=DAY,
                    exercise_id="bulk",
                    sets=1,
                    reps=i,
                    note="x" * 200,
                )
            )
            if i == n // 2:
                s.flush()
                print("MIDWAY", flush=True)
                time.sleep(120)  # killed here, mid-transaction
        s.flush()


if __name__ == "__main__":
    mode, url, artefacts, athlete, n = sys.argv[1:6]
    if mode == "bigtx":
        big_transaction(url, artefacts, int(athlete), int(n))
    else:
        log_many(url, artefacts, athlete, int(n), sys.argv[6] if len(sys.argv) > 6 else "w")


def open_at_once(url: str, artefacts: str, go=None) -> None:  # noqa: ANN001
    """Open (and so create) the store right after the other processes."""
    from kneetrack.store import open_store

    if go is not None:
        go.wait(60)
    open_store(url, artefacts=artefacts).close()
