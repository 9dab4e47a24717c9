"""Read and validate the knowledge-base data files (packaged YAML)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from kneetrack.knowledge.schema import Knowledge

PACKAGE = "kneetrack.knowledge"
FILES = (
    "exercises.yaml",
    "cues.yaml",
    "footwear.yaml",
    "causes.yaml",
    "referral.yaml",
    "retraining.yaml",
    "rules.yaml",
)


def read_data_file(name: str) -> Any:
    """Return the parsed content of one packaged YAML data file."""
    text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def build_knowledge(raw: dict[str, Any]) -> Knowledge:
    """Validate raw data (as read from the files) into a :class:`Knowledge`.

    ``raw`` maps each file name to its parsed content. Raises ``ValueError``
    naming the first problem (a broken data file is a programming error, not
    user input).
    """
    exercises = raw["exercises.yaml"]["exercises"]
    causes = raw["causes.yaml"]["causes"]
    cues = raw["cues.yaml"]["cues"]
    for kind, items in (("exercise", exercises), ("cause", causes), ("cue", cues)):
        key = "code" if kind == "cause" else "id"
        seen: set[str] = set()
        for item in items:
            if item[key] in seen:
                raise ValueError(f"duplicate {kind} {item[key]!r}")
            seen.add(item[key])
    try:
        return Knowledge(
            exercises={e["id"]: e for e in exercises},
            cues={c["id"]: c for c in cues},
            footwear=raw["footwear.yaml"]["footwear"],
            causes={c["code"]: c for c in causes},
            severity_factor=raw["causes.yaml"]["severity_factor"],
            finding_views=raw["causes.yaml"]["finding_views"],
            finding_aliases=raw["causes.yaml"].get("finding_aliases", {}),
            derived=raw["causes.yaml"].get("derived", {}),
            stance_findings=raw["causes.yaml"].get("stance_findings", {}),
            red_flags=raw["referral.yaml"]["red_flags"],
            retraining=raw["retraining.yaml"],
            rules=raw["rules.yaml"],
        )
    except ValidationError as err:
        raise ValueError(f"invalid knowledge base: {err}") from None


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """Load the packaged knowledge base once and return it (validated, cross-checked)."""
    return build_knowledge({name: read_data_file(name) for name in FILES})
