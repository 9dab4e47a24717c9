"""Referral and red flags: who a runner should see, how soon, and why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kneetrack.assessment.facts import build_facts, check_condition
from kneetrack.knowledge import load_knowledge
from kneetrack.knowledge.schema import Knowledge, RedFlag
from kneetrack.screening.schema import Screening

URGENCY_RANK = {"none": 0, "soon": 1, "urgent": 2}


def flag_fires(flag: RedFlag, facts: Any, kb: Knowledge) -> bool:
    """True when all of ``flag.all`` hold and (if given) at least one of ``flag.any``."""
    if flag.all and not all(check_condition(c, facts, kb)[0] is True for c in flag.all):
        return False
    return not flag.any or any(check_condition(c, facts, kb)[0] is True for c in flag.any)


class ReferralCheck:
    """Check the red flags of ``referral.yaml`` against the screening (and analysis).

    Parameters
    ----------
    knowledge
        Knowledge base to use (default: the packaged one).

    Attributes
    ----------
    referral_
        ``{needed, urgency: none|soon|urgent, to: [...], reasons: [...], flags: [...]}``.
        Urgent reasons come first; an urgent referral means loading advice is held back.

    Notes
    -----
    Red flags follow the Ottawa knee rule (Stiell et al. 1997), the patellofemoral
    pain guideline (Willy et al. 2019) and the red-flag consensus of Finucane et al. 2020.
    """

    def __init__(self, *, knowledge: Knowledge | None = None) -> None:
        self.knowledge = knowledge

    def check(
        self, screening: Screening | None = None, analysis: Mapping[str, Any] | None = None
    ) -> ReferralCheck:
        """Evaluate every red flag; returns ``self``."""
        kb = self.knowledge or load_knowledge()
        facts = build_facts(analysis, screening, kb)
        fired = [f for f in kb.red_flags if flag_fires(f, facts, kb)]
        fired.sort(key=lambda f: -URGENCY_RANK[f.urgency])
        urgency = fired[0].urgency if fired else "none"
        to: list[str] = []
        for f in fired:
            to.extend(t for t in f.to if t not in to)
        self.referral_ = {
            "needed": bool(fired),
            "urgency": urgency,
            "to": to,
            "reasons": [f.reason for f in fired],
            "flags": [
                {
                    "id": f.id,
                    "urgency": f.urgency,
                    "to": list(f.to),
                    "reason": f.reason,
                    "source": f.source,
                }
                for f in fired
            ],
        }
        return self
