"""The screening questionnaire and its prompt engine.

The questions (symptoms and red flags, training load and recent changes, shoes,
self-test results) live in ``content/questionnaire.yaml``. One engine serves
both ways of answering:

* interactively: :meth:`Questionnaire.ask` calls an ``ask(prompt) -> str``
  function (a rich console, ``input``, or a test double) and re-asks after a
  bad answer with a clear message, never a traceback;
* from a dict (an answers file, command-line flags): :meth:`Questionnaire.validate`
  checks the same rules and raises :class:`~kneetrack.errors.InputError` with
  one line naming the answer.

:meth:`Questionnaire.to_screening` turns the answers into a validated
:class:`~kneetrack.screening.schema.Screening`.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kneetrack.errors import InputError, SettingsError
from kneetrack.knowledge.readonly import freeze
from kneetrack.screening.schema import Screening, parse_screening

KINDS = ("number", "integer", "yes_no", "choice", "choices", "text")
#: Top-level keys of ``screening.json`` accepted in an answers file as they are.
DOCUMENT_KEYS = (
    "schema",
    "date",
    "athlete",
    "symptoms",
    "training",
    "shoes",
    "tests",
    "squat_video",
)
_YES = {"y", "yes", "true", "1", "j", "ja", "oui", "si"}
_NO = {"n", "no", "false", "0", "nein", "non"}
_NONE = {"none", "nothing", "-"}
_MAX_TEXT = 500


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is for the runner."""


def _num(v: float) -> str:
    return f"{v:g}"


@dataclass(frozen=True)
class Question:
    """One question.

    Attributes
    ----------
    id : str
        Key of the answer in an answers file or ``--set``.
    text : str
        What is asked.
    kind : str
        ``number``, ``integer``, ``yes_no``, ``choice``, ``choices`` (several) or ``text``.
    section : str
        Section id (``athlete``, ``symptoms``, ``training``, ``shoes``, ``tests``).
    path : str or None
        Dotted location in ``screening.json``; ``None`` for a question that only
        steers which questions follow.
    min, max : float or None
        Allowed range for numbers, in the question's unit.
    unit : str
    choices : tuple of str
    scale : float
        Stored value = answer × scale (height asked in cm, stored in m).
    help : str
    ask_if : dict
        Ask only when each named answer equals the given value.
    if_no : dict
        Paths and values stored when this yes/no question is answered "no".
    instructions : str or None
        Self-test id whose instructions are shown before the question.
    interactive : bool
        ``False``: accepted from files and flags but never asked.
    """

    id: str
    text: str
    kind: str
    section: str
    path: str | None = None
    min: float | None = None
    max: float | None = None
    unit: str = ""
    choices: tuple[str, ...] = ()
    scale: float = 1.0
    help: str = ""
    ask_if: Mapping[str, Any] = field(default_factory=dict)
    if_no: Mapping[str, Any] = field(default_factory=dict)
    instructions: str | None = None
    interactive: bool = True

    # ------------------------------------------------------------------ prompt
    def prompt(self) -> str:
        """The prompt line: question, unit or range, choices."""
        hint = ""
        if self.kind in ("number", "integer"):
            if self.min is not None and self.max is not None:
                unit = f" {self.unit}" if self.unit and not self.unit.startswith("/") else ""
                hint = f" [{_num(self.min)} to {_num(self.max)}{unit}]"
            elif self.unit:
                hint = f" [{self.unit}]"
        elif self.kind == "yes_no":
            hint = " [y/n]"
        elif self.kind == "choice":
            hint = " [" + " / ".join(f"{i}={c}" for i, c in enumerate(self.choices, 1)) + "]"
        elif self.kind == "choices":
            hint = (
                " [numbers or names, comma-separated; "
                + " / ".join(f"{i}={c}" for i, c in enumerate(self.choices, 1))
                + "]"
            )
        return f"{self.text}{hint}: "

    # ------------------------------------------------------------------- parse
    def parse(self, raw: Any) -> Any:
        """Check one answer and return its value (``None`` = not answered).

        Strings are read as a person types them (``"9,5"``, ``"yes"``, ``"2"`` for
        the second choice); JSON values are checked as they are.

        Raises
        ------
        AnswerError
            With a message saying what is expected.

        Examples
        --------
        >>> q = Question(id="pain", text="Pain", kind="number", section="s", min=0, max=10)
        >>> q.parse("7,5")
        7.5
        >>> try:
        ...     q.parse("14")
        ... except AnswerError as err:
        ...     print(err)
        14 is out of range: enter a number from 0 to 10
        """
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = raw.strip()
            if raw == "":
                return None
        parser = getattr(self, f"_parse_{self.kind}")
        return parser(raw)

    def _range(self, v: float) -> float:
        lo, hi = self.min, self.max
        unit = f" {self.unit}" if self.unit and not self.unit.startswith("/") else ""
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            if lo is not None and hi is not None:
                raise AnswerError(
                    f"{_num(v)} is out of range: enter a number from {_num(lo)} to {_num(hi)}{unit}"
                )
            if lo is not None:
                raise AnswerError(f"{_num(v)} is too small: enter {_num(lo)}{unit} or more")
            raise AnswerError(f"{_num(v)} is too large: enter at most {_num(hi)}{unit}")  # type: ignore[arg-type]
        return v

    def _parse_number(self, raw: Any) -> float:
        if isinstance(raw, bool):
            raise AnswerError("expected a number, got yes/no")
        if isinstance(raw, int | float):
            v = float(raw)
        elif isinstance(raw, str):
            s = raw.lower().replace(",", ".")
            if self.unit and s.endswith(self.unit.lower()):
                s = s[: -len(self.unit)].strip()
            try:
                v = float(s)
            except ValueError:
                raise AnswerError(f"{raw!r} is not a number; type digits, e.g. 12 or 9.5") from None
        else:
            raise AnswerError(f"expected a number, got {type(raw).__name__}")
        if not math.isfinite(v):
            raise AnswerError("enter a real number")
        return self._range(v)

    def _parse_integer(self, raw: Any) -> int:
        v = self._parse_number(raw)
        if v != int(v):
            raise AnswerError(f"{_num(v)} is not a whole number")
        return int(v)

    def _parse_yes_no(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        s = str(raw).strip().lower()
        if s in _YES:
            return True
        if s in _NO:
            return False
        raise AnswerError(f"{raw!r}: answer y (yes) or n (no)")

    def _one_choice(self, raw: Any) -> str:
        s = str(raw).strip().lower().replace(" ", "_").replace("-", "_")
        if s.isdigit() and 1 <= int(s) <= len(self.choices):
            return self.choices[int(s) - 1]
        if s in self.choices:
            return s
        starts = [c for c in self.choices if c.startswith(s)]
        if len(starts) == 1:
            return starts[0]
        raise AnswerError(f"{raw!r} is not one of: {', '.join(self.choices)}")

    def _parse_choice(self, raw: Any) -> str:
        if isinstance(raw, bool | list):
            raise AnswerError(f"choose one of: {', '.join(self.choices)}")
        return self._one_choice(raw)

    def _parse_choices(self, raw: Any) -> list[str]:
        if isinstance(raw, str):
            if raw.strip().lower() in _NONE:
                return []
            items: list[Any] = [p for p in raw.replace(";", ",").split(",") if p.strip()]
        elif isinstance(raw, list | tuple):
            items = list(raw)
        else:
            raise AnswerError(f"expected a list of: {', '.join(self.choices)}")
        out: list[str] = []
        for item in items:
            c = self._one_choice(item)
            if c not in out:
                out.append(c)
        return out

    def _parse_text(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise AnswerError("expected text")
        if len(raw) > _MAX_TEXT:
            raise AnswerError(f"please keep it under {_MAX_TEXT} characters")
        return raw

    def stored_value(self, value: Any) -> Any:
        """The value as it goes into ``screening.json`` (scaled, rounded)."""
        if self.kind == "number" and self.scale != 1.0:
            return round(value * self.scale, 6)
        return value


def _question(section: str, d: Mapping[str, Any]) -> Question:
    kind = d.get("kind")
    if kind not in KINDS:
        raise SettingsError(f"question {d.get('id')!r}: unknown kind {kind!r}")
    return Question(
        id=d["id"],
        text=d["text"],
        kind=kind,
        section=section,
        path=d.get("path"),
        min=d.get("min"),
        max=d.get("max"),
        unit=str(d.get("unit", "")),
        choices=tuple(d.get("choices") or ()),
        scale=float(d.get("scale", 1.0)),
        help=d.get("help", ""),
        ask_if=dict(d.get("ask_if") or {}),
        if_no=dict(d.get("if_no") or {}),
        instructions=d.get("instructions"),
        interactive=bool(d.get("interactive", True)),
    )


@lru_cache(maxsize=1)
def _default_content() -> dict[str, Any]:
    ref = resources.files("kneetrack.screening") / "content" / "questionnaire.yaml"
    try:
        content: dict[str, Any] = freeze(yaml.safe_load(ref.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as err:  # pragma: no cover - packaging error
        raise SettingsError(f"cannot read the questionnaire: {err}") from None
    return content  # cached and shared: read-only


def _set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = doc
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = {}
            node[p] = nxt
        node = nxt
    node[parts[-1]] = value


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _merge(dict(out[k]), v)
        else:
            out[k] = v
    return out


class Questionnaire:
    """The screening questions and the engine that asks and checks them.

    Parameters
    ----------
    content : dict, optional
        Questionnaire content in the layout of ``content/questionnaire.yaml``;
        the built-in questionnaire by default.

    Attributes
    ----------
    sections : list of (id, title, instructions)
    questions : list of Question
        In asking order.

    Examples
    --------
    >>> qn = Questionnaire()
    >>> answers = qn.validate({"pain_worst_0_10": "4", "knee_to_wall_left_cm": 9})
    >>> qn.to_screening(answers).tests.knee_to_wall_cm.left
    9.0
    """

    def __init__(self, content: Mapping[str, Any] | None = None) -> None:
        data = content if content is not None else _default_content()
        self.sections: list[tuple[str, str, str | None]] = []
        self.questions: list[Question] = []
        for sec in data["sections"]:
            self.sections.append((sec["id"], sec["title"], sec.get("instructions")))
            self.questions.extend(_question(sec["id"], q) for q in sec["questions"])
        ids = [q.id for q in self.questions]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise SettingsError(f"duplicate question ids: {', '.join(sorted(dup))}")
        self._by_id = {q.id: q for q in self.questions}

    def __getitem__(self, question_id: str) -> Question:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise InputError(self._unknown(question_id)) from None

    def _unknown(self, key: str) -> str:
        near = difflib.get_close_matches(key, list(self._by_id) + list(DOCUMENT_KEYS), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        return f"unknown answer {key!r}{hint}; see 'kneetrack screen --list-questions'"

    def should_ask(self, q: Question, answers: Mapping[str, Any]) -> bool:
        """Whether ``q`` applies given the answers so far (its ``ask_if`` holds)."""
        return all(answers.get(k) == v for k, v in q.ask_if.items())

    # ------------------------------------------------------------ from a dict
    def validate(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Check answers keyed by question id; raise :class:`InputError` on the first bad one."""
        if not isinstance(answers, Mapping):
            raise InputError("answers must be a JSON object of question id -> answer")
        out: dict[str, Any] = {}
        for key, raw in answers.items():
            q = self[key]
            try:
                value = q.parse(raw)
            except AnswerError as err:
                raise InputError(f"answer {key!r}: {err}") from None
            if value is not None:
                out[key] = value
        return out

    def split_document(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split an answers file into ``screening.json``-style sections and flat answers by id."""
        if not isinstance(data, Mapping):
            raise InputError("the answers file must hold a JSON object")
        doc = {k: v for k, v in data.items() if k in DOCUMENT_KEYS}
        flat = {k: v for k, v in data.items() if k not in DOCUMENT_KEYS}
        return doc, self.validate(flat)

    def answered_in(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Answers by question id already present in a ``screening.json``-style document.

        Used to skip those questions when asking interactively.
        """
        out: dict[str, Any] = {}
        for q in self.questions:
            if q.path is None:
                continue
            node: Any = doc
            for part in q.path.split("."):
                node = node.get(part) if isinstance(node, Mapping) else None
            if node is None:
                continue
            if q.kind == "number" and q.scale != 1.0 and isinstance(node, int | float):
                node = node / q.scale
            try:
                value = q.parse(node)
            except AnswerError:
                continue                  # the document check reports it later, in one line
            if value is not None:
                out[q.id] = value
        return out

    # ------------------------------------------------------------ interactive
    def ask(
        self,
        ask: Callable[[str], str],
        *,
        tell: Callable[[str], None] = print,
        answers: Mapping[str, Any] | None = None,
        show_instructions: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Ask every applicable question not already answered; return all answers by id.

        ``ask(prompt)`` returns the typed line. An empty line skips the
        question, ``?`` shows its help; a bad answer is explained with ``tell``
        and the question is asked again. Before a self-test's first question a
        one-line introduction is told; ``?`` there shows the full step-by-step
        instructions through ``show_instructions(test_id)`` (default: ``tell``
        the instructions text). ``EOFError`` / ``KeyboardInterrupt`` from
        ``ask`` propagate so the caller can stop without writing anything.
        """
        from kneetrack.screening.selftests import get_selftest

        got: dict[str, Any] = dict(answers or {})

        def instructions(test_id: str) -> None:
            if show_instructions is not None:
                show_instructions(test_id)
            else:
                tell(get_selftest(test_id).instructions())

        def intro(test_id: str) -> None:
            t = get_selftest(test_id)
            tell(f"{t.name}: {' '.join(t.what_it_shows.split())} (type ? for how to do it)")

        tell("Press Enter to skip a question, type ? for help.")
        for sec_id, title, sec_instr in self.sections:
            todo = [q for q in self.questions if q.section == sec_id and q.interactive]
            if not any(q.id not in got for q in todo):
                continue
            tell("")
            tell(f"— {title} —")
            if sec_instr:
                intro(sec_instr)
            for q in todo:
                if q.id in got or not self.should_ask(q, got):
                    continue
                test_id = q.instructions or sec_instr
                if q.instructions:
                    intro(q.instructions)
                help_: Callable[[], None] | None = None
                if test_id and not q.help:
                    help_ = functools.partial(instructions, test_id)
                value = self._ask_one(q, ask, tell, help_=help_)
                if value is not None:
                    got[q.id] = value
        return got

    @staticmethod
    def _ask_one(q: Question, ask: Callable[[str], str], tell: Callable[[str], None],
                 help_: Callable[[], None] | None = None) -> Any:
        while True:
            raw = ask(q.prompt())
            if raw is None:
                return None
            if raw.strip() in ("?", "help"):
                if help_ is not None:
                    help_()
                else:
                    tell(q.help or f"{q.text}. Press Enter to skip.")
                continue
            try:
                return q.parse(raw)
            except AnswerError as err:
                tell(f"  {err}. Try again, or press Enter to skip.")

    # ------------------------------------------------------------- to screening
    def to_screening(
        self,
        answers: Mapping[str, Any],
        *,
        base: Mapping[str, Any] | None = None,
        date: str | None = None,
    ) -> Screening:
        """Build a validated :class:`Screening` from answers by id over an optional base."""
        doc: dict[str, Any] = {}
        for q in self.questions:
            if q.id not in answers:
                continue
            value = answers[q.id]
            if q.kind == "yes_no" and value is False:
                for path, v in q.if_no.items():
                    _set_path(doc, path, v)
            if q.path is not None and value is not None:
                _set_path(doc, q.path, q.stored_value(value))
        merged = _merge(dict(base or {}), doc)
        if date is not None:
            merged["date"] = date
        return parse_screening(merged)
