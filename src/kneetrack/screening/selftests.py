"""The guided self-tests: what each shows, what it needs, how to do it.

The content lives in ``content/selftests.yaml`` (our own words); the norms each
result is compared with live in ``knowledge/thresholds/screening.yaml`` and are
applied by :mod:`kneetrack.screening.norms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from kneetrack.errors import SettingsError
from kneetrack.knowledge.readonly import FrozenDict
from kneetrack.screening.norms import Note, interpret
from kneetrack.screening.schema import Screening


@dataclass(frozen=True)
class SelfTest:
    """One guided self-test.

    Attributes
    ----------
    id : str
        ``knee_to_wall``, ``side_plank``, ``hip_abduction_strength``,
        ``hip_external_rotation_strength``, ``thomas_test``, ``ober_test``,
        ``hip_internal_rotation``, ``navicular_drop``, ``foot_posture_index``,
        ``single_leg_squat``, ``shoes``.
    name : str
    what_it_shows : str
        Why the test matters, in plain words.
    equipment : tuple of str
    steps : tuple of str
        Numbered instructions.
    tips : tuple of str
    unit : str
        Unit of the result (empty when there is no single number).
    """

    id: str
    name: str
    what_it_shows: str
    equipment: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    unit: str = ""

    def instructions(self, *, markdown: bool = False) -> str:
        """The instructions as text (or markdown): purpose, equipment, steps, tips."""
        lines = [
            f"## {self.name}" if markdown else self.name.upper(),
            "",
            self.what_it_shows.strip(),
        ]
        if self.equipment:
            lines += ["", "You need: " + ", ".join(self.equipment) + "."]
        if self.steps:
            lines.append("")
            lines += [f"{i}. {step.strip()}" for i, step in enumerate(self.steps, 1)]
        for tip in self.tips:
            lines += ["", ("Tip: " if not markdown else "*Tip:* ") + tip.strip()]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def load_selftests() -> dict[str, SelfTest]:
    """All self-tests by id, in the order the questionnaire uses them."""
    ref = resources.files("kneetrack.screening") / "content" / "selftests.yaml"
    try:
        data = yaml.safe_load(ref.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:  # pragma: no cover - packaging error
        raise SettingsError(f"cannot read the self-test instructions: {err}") from None
    out = {}
    for t in data["tests"]:
        out[t["id"]] = SelfTest(
            id=t["id"],
            name=t["name"],
            what_it_shows=t["what_it_shows"],
            equipment=tuple(t.get("equipment") or ()),
            steps=tuple(t.get("steps") or ()),
            tips=tuple(t.get("tips") or ()),
            unit=t.get("unit", ""),
        )
    return FrozenDict(out)  # cached and shared: read-only


def get_selftest(test_id: str) -> SelfTest:
    """Return one self-test; :class:`SettingsError` for an unknown id."""
    tests = load_selftests()
    if test_id not in tests:
        raise SettingsError(f"unknown self-test {test_id!r}; known: {', '.join(tests)}")
    return tests[test_id]


def interpret_selftests(screening: Screening) -> dict[str, list[Note]]:
    """The notes on each self-test's result, by self-test id (tests without results left out)."""
    by_test: dict[str, list[Note]] = {}
    for note in interpret(screening):
        if note.topic in load_selftests() or note.topic == "hip_abduction_strength":
            by_test.setdefault(note.topic, []).append(note)
    return by_test
