"""Cached data files are read-only: no caller can change what the next one reads."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from kneetrack.kinematics.findings import load_thresholds
from kneetrack.kinematics.plausibility import load_plausibility
from kneetrack.knowledge.readonly import FrozenDict, FrozenList, freeze, thaw
from kneetrack.progress.verdict import load_thresholds as load_progress_thresholds
from kneetrack.report.content import report_content
from kneetrack.screening.norms import load_thresholds as load_screening_thresholds
from kneetrack.screening.questionnaire import _default_content
from kneetrack.screening.selftests import load_selftests


def test_frozen_data_reads_like_dicts_and_lists() -> None:
    data = freeze({"a": [1, {"b": 2}], "c": "x"})
    assert isinstance(data, dict) and isinstance(data["a"], list)
    assert data == {"a": [1, {"b": 2}], "c": "x"}
    assert json.loads(json.dumps(data)) == {"a": [1, {"b": 2}], "c": "x"}
    assert dict(**data)["c"] == "x"
    assert pickle.loads(pickle.dumps(data)) == data
    assert isinstance(pickle.loads(pickle.dumps(data)), FrozenDict)


@pytest.mark.parametrize("change", [
    lambda d: d.__setitem__("c", 1), lambda d: d.pop("c"), lambda d: d.update(c=1),
    lambda d: d.setdefault("z", 1), lambda d: d.clear(), lambda d: d.__delitem__("c"),
    lambda d: d["a"].append(3), lambda d: d["a"].__setitem__(0, 9), lambda d: d["a"].sort(),
    lambda d: d["a"][1].__setitem__("b", 3),
])
def test_every_change_is_refused(change) -> None:
    data = freeze({"a": [1, {"b": 2}], "c": "x"})
    with pytest.raises(TypeError, match="read-only"):
        change(data)
    assert data == {"a": [1, {"b": 2}], "c": "x"}


def test_a_deep_copy_is_yours_to_change() -> None:
    data = freeze({"a": [1, {"b": 2}]})
    for mine in (copy.deepcopy(data), thaw(data)):
        assert type(mine) is dict and type(mine["a"]) is list and type(mine["a"][1]) is dict
        mine["a"][1]["b"] = 5
    assert data["a"][1]["b"] == 2
    assert copy.copy(data) is data


@pytest.mark.parametrize("loader", [
    load_thresholds, load_plausibility, load_screening_thresholds, _default_content,
    report_content, load_selftests, lambda: load_progress_thresholds().metrics,
])
def test_the_cached_loaders_return_read_only_data(loader) -> None:
    data = loader()
    assert isinstance(data, FrozenDict)
    key = next(iter(data))
    with pytest.raises(TypeError):
        data[key] = None
    lists = [v for v in data.values() if isinstance(v, list)]
    assert all(isinstance(v, FrozenList) for v in lists)
    assert loader() is data or loader() == data
