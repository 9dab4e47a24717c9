"""The screening notes are data (``knowledge/thresholds/screening.yaml``); norms.py reads them."""

import copy

import pytest

from kneetrack.errors import SettingsError
from kneetrack.screening import norms
from kneetrack.screening.norms import _WORDS, _holds, interpret, load_thresholds
from kneetrack.screening.schema import parse_screening

KINDS = ("per_leg", "side_difference", "scalar", "video_legs", "video_warnings")


def _rules(reading):
    if "video_legs" in reading:
        for check in reading["video_legs"]:
            yield from check["rules"]
    else:
        yield from reading.get("rules", ())


def test_every_reading_is_well_formed():
    th = load_thresholds()
    topics = [b["topic"] for b in th["notes"]]
    assert len(topics) == len(set(topics)) == 15
    for block in th["notes"]:
        assert block["topic"] in th, block["topic"]
        for reading in block["readings"]:
            assert sum(k in reading for k in KINDS) == 1, reading
            if "context" in reading:
                assert reading["context"] in norms._CONTEXTS
            for rule in _rules(reading):
                assert rule["status"] in ("ok", "flag", "info", "{category_status}")
                for cond in rule.get("when", ()):
                    assert len(cond.split()) == 3 and cond.split()[1] in norms._OPS, cond
            # Only the last rule of a reading may be the catch-all.
            rules = list(_rules(reading))
            if "video_legs" not in reading:
                assert all("when" in r for r in rules[:-1]), block["topic"]


@pytest.mark.parametrize("cond, ctx, expected", [
    ("value < limit", {"value": 3.0, "limit": 4}, True),
    ("value >= limit", {"value": 3.0, "limit": 4}, False),
    ("value > a.b.1", {"value": 3.0, "a": {"b": [1, 2]}}, True),
    ("value == none", {"value": None}, True),
    ("value == none", {"value": 0.0}, False),
    ("value != 0", {"value": None}, True),       # a missing value satisfies only != ...
    ("value < 5", {"value": None}, False),       # ... and == none
    ("value != 0", {"value": 0.0}, False),
])
def test_conditions(cond, ctx, expected):
    assert _holds(cond, ctx) is expected


def test_bad_condition_and_unknown_name_are_settings_errors():
    with pytest.raises(SettingsError, match="bad condition"):
        _holds("value <> 3", {"value": 1})
    with pytest.raises(SettingsError, match="unknown name"):
        _holds("value < nowhere", {"value": 1})
    with pytest.raises(SettingsError, match="unknown name"):
        _holds("value < a.missing", {"value": 1, "a": {"b": 2}})


def test_number_words():
    assert _WORDS.format("{v:~} {w:~} {x:abs.0f} {y:+.0f}", v=10.0, w=10.25, x=-10.6, y=3) \
        == "10 10.2 11 +3"


def test_thresholds_and_words_come_from_the_yaml(monkeypatch):
    """Change the YAML, not the code: a new cut-off and a new sentence show up in the notes."""
    th = copy.deepcopy(load_thresholds())
    th["knee_to_wall"]["flag_below_cm"] = 12.0
    k2w = next(b for b in th["notes"] if b["topic"] == "knee_to_wall")
    rule = k2w["readings"][0]["rules"][0]
    rule["text"] = "{value:~} cm on the {leg}: stiff (below {flag_below_cm:~})."
    monkeypatch.setattr(norms, "load_thresholds", lambda: th)
    s = parse_screening({"tests": {"knee_to_wall_cm": {"left": 11.0, "right": 11.5}}})
    notes = [n for n in interpret(s) if n.topic == "knee_to_wall"]
    assert [(n.leg, n.status, n.text) for n in notes] == [
        ("left", "flag", "11 cm on the left: stiff (below 12)."),
        ("right", "flag", "11.5 cm on the right: stiff (below 12)."),
    ]
