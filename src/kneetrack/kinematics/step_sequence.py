"""Whole-clip rules over the sequence of stances found by :mod:`kneetrack.kinematics.events`.

One stance at a time, a contact cue can glitch (a label swap, a blurred
foot); over the clip, steps alternate and keep a rhythm. These functions use
that: legs are labelled by an alternating Viterbi path
(:func:`alternating_labels`), a foot/pelvis cue disagreement is resolved by the
step rhythm (:func:`resolve_disagreements`, :func:`settle_outlier_cues`), and
the cadence is a robust slope of contact time over step number
(:func:`cadence_from_contacts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["StanceEvents", "alternating_labels", "cadence_from_contacts",
           "resolve_disagreements", "settle_outlier_cues"]


@dataclass(frozen=True)
class StanceEvents:
    """One stance of one leg.

    Attributes
    ----------
    leg : str
        ``left`` or ``right``.
    contact_s, toe_off_s : float
        Initial contact and toe-off, seconds from the first frame (NaN if
        outside the clip).
    midstance_s : float
        Time of the stance foot's lowest image point relative to the other foot.
    contact_uncertainty_ms : float
        One standard deviation of the contact time.
    cues_ms : dict
        Each contact cue's estimate relative to the combined one (ms).
    """

    leg: str
    contact_s: float
    toe_off_s: float
    midstance_s: float
    contact_uncertainty_ms: float
    cues_ms: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Both events inside the clip."""
        return bool(np.isfinite(self.contact_s) and np.isfinite(self.toe_off_s))


def alternating_labels(evidence: NDArray[Any], *, repeat_cost: float) -> list[str]:
    """Leg of each step: legs alternate, except where the evidence insists (Viterbi).

    ``evidence`` is the foot-height difference at each step (+ = left foot
    lower). Disagreeing with a step's evidence costs its weight (``|d|`` over
    the run's median ``|d|``, at most 2); two steps in a row on the same leg cost
    ``repeat_cost``. A single extra or missing step (a swap glitch) therefore
    shifts the alternation once instead of flipping every later step's leg,
    and a single step with the wrong evidence cannot break the alternation.
    """
    n = evidence.size
    if n == 0:
        return []
    med = float(np.median(np.abs(evidence))) or 1.0
    w = np.minimum(np.abs(evidence) / med, 2.0)
    emit = np.stack([np.where(evidence > 0, 0.0, w), np.where(evidence < 0, 0.0, w)])  # L, R
    cost = emit[:, 0].copy()
    back = np.zeros((n, 2), dtype=int)
    for k in range(1, n):
        new = np.empty(2)
        for s_ in (0, 1):
            stay, switch = cost[s_] + repeat_cost, cost[1 - s_]
            back[k, s_] = s_ if stay < switch else 1 - s_
            new[s_] = min(stay, switch) + emit[s_, k]
        cost = new
    state = int(np.argmin(cost))
    path = [state]
    for k in range(n - 1, 0, -1):
        state = int(back[k, state])
        path.append(state)
    return ["left" if p == 0 else "right" for p in reversed(path)]


def resolve_disagreements(stances: list[StanceEvents], step_s: float) -> list[StanceEvents]:
    """Where the foot and pelvis cues disagreed, the foot leads unless it breaks the rhythm.

    First every disagreement takes the foot cue. Then a foot cue more than a
    quarter step from where its neighbours put it (one step after the previous
    contact, one before the next) gives way to the pelvis cue when that one is
    nearer.
    """
    def pick(s: StanceEvents, name: str) -> StanceEvents:
        cues_ms = {k: v for k, v in s.cues_ms.items() if k != "unresolved"}
        cands = {n: s.contact_s + off / 1000 for n, off in cues_ms.items()}
        tc = cands.get(name, s.contact_s)
        return replace(s, contact_s=tc, cues_ms={n: round((c - tc) * 1000, 1)
                                                 for n, c in cands.items()})

    flagged = [i for i, s in enumerate(stances) if s.cues_ms.get("unresolved")]
    out = [pick(s, "foot") if i in flagged else s for i, s in enumerate(stances)]
    for i in flagged:
        exp = []
        if i > 0 and np.isfinite(out[i - 1].contact_s):
            exp.append(out[i - 1].contact_s + step_s)
        if i + 1 < len(out) and np.isfinite(out[i + 1].contact_s):
            exp.append(out[i + 1].contact_s - step_s)
        if not exp:
            continue
        e = float(np.mean(exp))
        foot = out[i].contact_s
        pel = foot + out[i].cues_ms.get("pelvis", float("nan")) / 1000
        if abs(foot - e) > 0.25 * step_s and abs(pel - e) < abs(foot - e):
            out[i] = pick(out[i], "pelvis")
    return out


def settle_outlier_cues(stances: list[StanceEvents], step_s: float, *, frame_s: float,
                         foot_weight: float) -> list[StanceEvents]:
    """A stance whose foot or pelvis cue glitched: the cue that keeps the step rhythm decides.

    Two symptoms, each judged against the clip's own scatter (1.4826 × MAD, at
    least a tenth of a frame: the cues are sub-frame), three scatters out:

    - the two cues' disagreement (pelvis − foot), steady on a steady clip, is
      an outlier: one of them is off (a label swap, a blurred foot);
    - the contact is an outlier of the step rhythm (its distance from the
      midpoint of its two neighbours' contacts): one event jumped.

    Such a stance takes the estimate of whichever cue puts it nearer the rhythm
    (one step after the previous contact, one before the next), that cue
    corrected by the clip's median disagreement, so it lands where a normal
    stance's fused value would; it is kept if neither is nearer than the fused
    value. Only measured cues are chosen between, so a truly irregular step
    stays irregular. Without neighbours, the stance is left as it is.
    """
    n = len(stances)
    dis = np.array([s.cues_ms.get("pelvis", np.nan) - s.cues_ms.get("foot", np.nan)
                    for s in stances]) / 1000
    ok = np.isfinite(dis)
    if ok.sum() < 5:
        return stances
    floor = 0.1 * frame_s

    def zscore(x: NDArray[Any]) -> tuple[NDArray[Any], float, float]:
        good = np.isfinite(x)
        if good.sum() < 5:
            return np.zeros(n), 0.0, float("inf")
        med_x = float(np.median(x[good]))
        sc = max(1.4826 * float(np.median(np.abs(x[good] - med_x))), floor)
        return np.where(good, np.abs(x - med_x) / sc, 0.0), med_x, sc

    def rhythm(tc: NDArray[Any]) -> NDArray[Any]:
        r = np.full(n, np.nan)
        if n >= 3:
            r[1:-1] = tc[1:-1] - 0.5 * (tc[:-2] + tc[2:])
        return r

    med = float(np.median(dis[ok]))
    z_dis = zscore(dis)[0]
    z_rhy, med_r, sc_r = zscore(rhythm(np.array([s.contact_s for s in stances])))
    out = list(stances)
    # the worst first: a neighbour of a glitched stance looks off the rhythm only through it
    for i in np.argsort(-np.maximum(z_dis, z_rhy)):
        if not ok[i] or max(z_dis[i], z_rhy[i]) <= 3.0:
            continue
        if z_dis[i] <= 3.0:
            r_now = rhythm(np.array([s.contact_s for s in out]))[i]
            if not abs(r_now - med_r) > 3.0 * sc_r:
                continue          # back on the rhythm now that its neighbour was settled
        s = out[i]
        exp = []
        if i > 0 and np.isfinite(out[i - 1].contact_s):
            exp.append(out[i - 1].contact_s + step_s)
        if i + 1 < n and np.isfinite(out[i + 1].contact_s):
            exp.append(out[i + 1].contact_s - step_s)
        if not exp:
            continue
        e = float(np.mean(exp))
        foot = s.contact_s + s.cues_ms["foot"] / 1000
        pel = s.contact_s + s.cues_ms["pelvis"] / 1000
        # where a normal stance would have put the contact, trusting one cue
        by_pel, by_foot = pel - foot_weight * med, foot + (1.0 - foot_weight) * med
        best = by_pel if abs(by_pel - e) < abs(by_foot - e) else by_foot
        if abs(best - e) >= abs(s.contact_s - e):
            continue
        out[i] = replace(s, contact_s=best, cues_ms={
            "foot": round((foot - best) * 1000, 1), "pelvis": round((pel - best) * 1000, 1),
            "outlier": 1.0})
    return out


def cadence_from_contacts(stances: list[StanceEvents]) -> tuple[float, float | None]:
    """Median step time and cadence from the contact sequence.

    The cadence is the slope of a straight line through contact time against
    step number (Theil–Sen: the median of pairwise slopes), so a contact that is
    a few ms off moves the estimate by almost nothing and jitter does not
    accumulate; a missed contact (a gap about two steps long) advances the step
    number by two, and runs separated by a long tracking gap are fitted
    together with their own offsets left out (the slopes are taken within runs).
    """
    tc = np.array([s.contact_s for s in stances if np.isfinite(s.contact_s)])
    if tc.size < 2:
        return float("nan"), None
    tc = np.sort(tc)
    dt = np.diff(tc)
    med = float(np.median(dt))
    if not med > 0:
        return float("nan"), None
    # a glitch contact close to a neighbour shares its step number (Theil-Sen shrugs it off)
    k = np.concatenate([[0], np.cumsum(np.round(dt / med))])
    run = np.concatenate([[0], np.cumsum(dt > 3.5 * med)])
    slopes = []
    for r in np.unique(run):
        kk, tt = k[run == r], tc[run == r]
        for i in range(kk.size - 1):
            d = kk[i + 1:] - kk[i]
            ok = d > 0
            slopes.append((tt[i + 1:][ok] - tt[i]) / d[ok])
    if not slopes:
        return med, None
    step = float(np.median(np.concatenate(slopes)))
    return med, (60.0 / step if step > 0 else None)
