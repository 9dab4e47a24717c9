"""The report's reading aids (display bands, measurement error, plain text), loaded from YAML.

The numbers and wording live in ``report/data/report.yaml`` with their
literature sources; this module only loads and validates them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kneetrack.errors import SettingsError

SCHEMA = "kneetrack.report-content/1"


@lru_cache(maxsize=1)
def report_content() -> dict[str, Any]:
    """Return the report content file as a dict (cached, treat as read-only).

    Raises
    ------
    SettingsError
        If the bundled file is malformed (a packaging error, not a user error).
    """
    text = resources.files("kneetrack.report").joinpath("data/report.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SettingsError(f"report content file is not {SCHEMA}")
    for key in ("metrics", "cadence", "quality", "first_steps", "explainer"):
        if key not in data:
            raise SettingsError(f"report content file lacks the {key!r} section")
    for name, m in data["metrics"].items():
        for key in ("label", "short", "what", "views", "sdd", "sources"):
            if key not in m:
                raise SettingsError(f"report content: metric {name!r} lacks {key!r}")
    return data
