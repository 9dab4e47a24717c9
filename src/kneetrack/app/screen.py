"""The ``screen`` use case: answers and an optional squat video in, a screening folder out.

Called by ``kneetrack screen`` (interactive or not) and usable from the web
app alike. Writes ``DIR/screening.json`` (schema ``kneetrack.screening/1``)
atomically and ``DIR/screening.md``, a short readable summary.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kneetrack.app.measure import ProgressCallback, acquire_keypoints
from kneetrack.core.atomic import write_json_atomic, write_text_atomic
from kneetrack.core.views import FRONTAL_VIEWS, View, parse_view
from kneetrack.errors import InputError
from kneetrack.io.files import read_json_object
from kneetrack.screening.norms import Note, RedFlag, interpret, red_flags
from kneetrack.screening.questionnaire import Questionnaire
from kneetrack.screening.schema import Screening
from kneetrack.screening.selftests import get_selftest, load_selftests
from kneetrack.screening.squat import SingleLegSquatAnalysis
from kneetrack.screening.summary import nothing_answered, summary_lines, summary_markdown


@dataclass
class ScreenResult:
    """Everything one screening produced."""

    screening: Screening
    notes: list[Note]
    flags: list[RedFlag]
    summary_md: str
    out_dir: Path | None = None
    artefacts: dict[str, Path] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        """Short plain lines for a terminal."""
        return summary_lines(self.screening, notes=self.notes, flags=self.flags)


def analyze_squat(
    path: str | Path,
    *,
    view: str = View.FRONT,
    leg: str = "auto",
    progress: ProgressCallback | None = None,
    backend: Any = None,
    workers: int | None = None,
) -> SingleLegSquatAnalysis:
    """Run the single-leg squat analysis on a video or keypoint file.

    Raises
    ------
    InputError
        If the file cannot be read or holds no single-leg squat repetitions
        (the message says how to film it).
    """
    parse_view(view, allowed=FRONTAL_VIEWS, what="squat view (front or rear)")
    kp, _kind = acquire_keypoints(Path(path), progress=progress, backend=backend, workers=workers)
    ana = SingleLegSquatAnalysis(view=view, leg=leg).analyze(kp)
    if not ana.reps_:
        raise InputError(f"{path}: no single-leg squat repetitions found; film from the front, "
                         "whole body in view, stand on one leg with the other foot off the floor "
                         "and squat 5 times on each leg")
    return ana


def squat_block(ana: SingleLegSquatAnalysis, *, source: str | Path | None = None) -> dict[str, Any]:
    """The ``squat_video`` block of ``screening.json``."""
    block = ana.to_dict()
    if source is not None:
        block["source"] = str(source)
    return block


def _squat_tests(ana: SingleLegSquatAnalysis) -> dict[str, Any]:
    tests: dict[str, dict[str, float]] = {}
    for field_name, metric in (("single_leg_squat_fppa_deg", "fppa_deg"),
                               ("single_leg_squat_hip_adduction_deg", "hip_adduction_deg"),
                               ("single_leg_squat_pelvic_drop_deg", "pelvic_drop_deg")):
        for lg in ("left", "right"):
            mean = ana.summary_[lg][metric]["mean"]
            if mean is not None:
                tests.setdefault(field_name, {})[lg] = mean
    return tests


def load_answers(path: str | Path) -> dict[str, Any]:
    """Read and check an answers file (JSON object).

    Raises
    ------
    InputError
        One line naming the file and the answer or section that is unusable.
    """
    from kneetrack.io.common import naming_file

    data = read_json_object(path, what="answers file")
    with naming_file(Path(path)):
        build_screening(data)
    return data


def check_date(date: str | None) -> str:
    """Return ``date`` (today when ``None``) after checking it is ``YYYY-MM-DD``."""
    if date is None:
        return _dt.date.today().isoformat()
    try:
        _dt.date.fromisoformat(str(date))
    except ValueError:
        raise InputError(f"date must be YYYY-MM-DD, got {date!r}") from None
    return str(date)


def build_screening(
    answers: Mapping[str, Any] | None = None,
    *,
    squat: SingleLegSquatAnalysis | None = None,
    squat_source: str | Path | None = None,
    date: str | None = None,
    questionnaire: Questionnaire | None = None,
) -> Screening:
    """Combine answers (by question id and/or ``screening.json`` sections) and squat results.

    Squat-video results fill the single-leg squat fields; values typed by hand
    for the same legs are kept only where the video measured nothing.
    """
    qn = questionnaire or Questionnaire()
    doc, flat = qn.split_document(dict(answers or {}))
    date = check_date(date if date is not None else doc.get("date"))
    if squat is not None:
        tests = dict(doc.get("tests") or {})
        for name, per_leg in _squat_tests(squat).items():
            tests[name] = {**(tests.get(name) or {}), **per_leg}
        doc["tests"] = tests
        doc["squat_video"] = squat_block(squat, source=squat_source)
        for lg in tests.get("single_leg_squat_fppa_deg", {}):
            flat.pop(f"single_leg_squat_fppa_{lg}_deg", None)
    return qn.to_screening(flat, base=doc, date=date)


def check_out_dir(out_dir: str | Path, *, force: bool = False) -> Path:
    """Fail early (before any question is asked) if ``out_dir`` cannot take a new screening."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    target = out / "screening.json"
    if target.exists() and not force:
        raise InputError(f"{target} already exists; use --force to replace it "
                         "(the old one is kept as screening.json.bak)")
    return out


def write_screening(screening: Screening, out_dir: str | Path, *, force: bool = False,
                    notes: list[Note] | None = None,
                    flags: list[RedFlag] | None = None) -> ScreenResult:
    """Write ``screening.json`` (atomically) and ``screening.md`` into ``out_dir``.

    An existing ``screening.json`` is never overwritten silently: without
    ``force`` it is an error; with ``force`` the old file is kept as
    ``screening.json.bak``.
    """
    out = check_out_dir(out_dir, force=force)
    target = out / "screening.json"
    notes = interpret(screening) if notes is None else notes
    flags = red_flags(screening) if flags is None else flags
    md = summary_markdown(screening, notes=notes, flags=flags)
    out.mkdir(parents=True, exist_ok=True)
    if target.exists():
        backup = out / "screening.json.bak"
        backup.write_bytes(target.read_bytes())
    result = ScreenResult(screening=screening, notes=notes, flags=flags, summary_md=md, out_dir=out)
    result.artefacts["summary"] = write_text_atomic(out / "screening.md", md)
    result.artefacts["screening"] = write_json_atomic(target, screening.to_dict())
    return result


@dataclass(frozen=True)
class ScreenUI:
    """How a front end talks with the runner during :func:`run_screen` (every part optional).

    Attributes
    ----------
    ask : callable, optional
        ``ask(prompt) -> answer``; when given, the questions not answered yet
        are asked (end of input stops the screening, nothing is written).
    tell : callable
        ``tell(text)``: a line for the runner while asking.
    show_instructions : callable, optional
        ``show_instructions(test_id)`` before a self-test is asked about.
    pose_progress : callable, optional
        Returns a context manager yielding a ``progress(done, total)``
        callback (or ``None``) for the squat video's pose estimation.
    on_squat : callable, optional
        Called with the squat analysis as soon as it is done (before asking).
    """

    ask: Callable[[str], str] | None = None
    tell: Callable[[str], None] = print
    show_instructions: Callable[[str], None] | None = None
    pose_progress: Callable[[], AbstractContextManager[ProgressCallback | None]] | None = None
    on_squat: Callable[[SingleLegSquatAnalysis], None] | None = None


def question_lines() -> list[tuple[str, str]]:
    """Every question id with its allowed answers in words, in asking order."""
    out = []
    for q in Questionnaire().questions:
        if q.kind in ("number", "integer"):
            rng = f"{q.min:g} to {q.max:g} {q.unit}".strip() if q.min is not None else q.unit
        elif q.kind in ("choice", "choices"):
            rng = ("one of " if q.kind == "choice" else "any of ") + ", ".join(q.choices)
        elif q.kind == "yes_no":
            rng = "yes/no"
        else:
            rng = "text"
        out.append((q.id, rng))
    return out


def selftest_instructions() -> list[str]:
    """How to do every self-test, one Markdown text per test."""
    return [test.instructions(markdown=True) for test in load_selftests().values()]


def selftest_instruction(test_id: str) -> str:
    """How to do one self-test, as Markdown."""
    return get_selftest(test_id).instructions(markdown=True)


def _interview(qn: Questionnaire, ui: ScreenUI, doc: dict[str, Any],
               flat: dict[str, Any]) -> dict[str, Any]:
    """Ask what is not answered yet; return the flat answers with the new ones added."""
    assert ui.ask is not None

    def show(test_id: str) -> None:
        if ui.show_instructions is not None:
            ui.show_instructions(test_id)

    known = {**qn.answered_in(doc), **flat}
    try:
        asked = qn.ask(ui.ask, tell=ui.tell, answers=known, show_instructions=show)
    except (EOFError, KeyboardInterrupt):
        raise InputError("stopped before the questions were finished; nothing was written") \
            from None
    return {**flat, **{k: v for k, v in asked.items() if k not in known}}


def run_screen(
    out_dir: str | Path,
    *,
    answers: Mapping[str, Any] | None = None,
    answers_file: str | Path | None = None,
    squat_video: str | Path | None = None,
    squat_view: str = View.FRONT,
    squat_leg: str = "auto",
    date: str | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    backend: Any = None,
    workers: int | None = None,
    ui: ScreenUI | None = None,
) -> ScreenResult:
    """The whole screening: answers, a squat video and (with ``ui.ask``) questions, written out.

    Every check that can fail runs before the squat video is analysed and
    before a question is asked: the folder (:func:`check_out_dir`), the date,
    the answers file and the answers (``answers`` win over ``answers_file``).
    Nothing is written when nothing at all was answered.

    Returns
    -------
    ScreenResult
        With ``artefacts["screening"]`` and ``artefacts["summary"]``.
    """
    ui = ui or ScreenUI()
    out = check_out_dir(out_dir, force=force)
    if date is not None:
        check_date(date)                          # before any question is asked
    qn = Questionnaire()
    data: dict[str, Any] = load_answers(answers_file) if answers_file is not None else {}
    data.update(answers or {})
    doc, flat = qn.split_document(data)           # bad answers fail here, early
    build_screening(data, date=date, questionnaire=qn)   # and a bad document section too
    squat = None
    if squat_video is not None:
        with ui.pose_progress() if ui.pose_progress else nullcontext(progress) as cb:
            squat = analyze_squat(squat_video, view=squat_view, leg=squat_leg, progress=cb,
                                  backend=backend, workers=workers)
        if ui.on_squat is not None:
            ui.on_squat(squat)
    if ui.ask is not None:
        flat = _interview(qn, ui, doc, flat)
        data = {**{k: v for k, v in data.items() if k not in flat}, **flat}
    screening = build_screening(data, squat=squat, squat_source=squat_video, date=date)
    if nothing_answered(screening):
        raise InputError(
            "nothing was answered, so there is nothing to screen: give --answers FILE, "
            "--set ID=VALUE or --squat-video, or run it in a terminal to be asked; "
            "nothing was written"
        )
    return write_screening(screening, out, force=force)
