"""Footwear advice chosen by the conditions in ``footwear.yaml``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kneetrack.assessment.facts import Facts, check_condition
from kneetrack.knowledge.schema import Knowledge


def footwear_advice(
    facts: Facts, kb: Knowledge, *, causes: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Advice lines whose conditions all hold (plus the ``always`` ones), with values filled in."""
    codes = set(causes)
    out = []
    for advice in kb.footwear:
        fires = advice.always or (
            bool(advice.when) and all(check_condition(c, facts, kb)[0] is True for c in advice.when)
        )
        if not fires and not (
            advice.addresses and codes & set(advice.addresses) and not advice.when
        ):
            continue
        km = facts.get("shoes.km")
        months = facts.get("shoes.age_months")
        text = advice.text.format(
            shoes_km=f"{km:.0f}" if km is not None else "?",
            shoes_age_months=f"{months:.0f}" if months is not None else "?",
        )
        out.append({"id": advice.id, "text": text, "source": advice.source})
    return out
