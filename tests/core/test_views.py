"""The View enum: the contract strings, the frontal/sagittal grouping, one validation."""

from __future__ import annotations

import json

import pytest

from kneetrack.core.views import FRONTAL_VIEWS, SAGITTAL_VIEWS, View, parse_view
from kneetrack.errors import SettingsError


def test_values_are_the_contract_strings() -> None:
    assert [v.value for v in View] == ["front", "rear", "side-left", "side-right"]
    # A view is its string: equal, same hash, written to JSON unchanged.
    assert View.SIDE_LEFT == "side-left"
    assert {"rear": 1}[View.REAR] == 1
    assert json.dumps({"view": View.SIDE_RIGHT}) == '{"view": "side-right"}'
    assert f"{View.FRONT}" == "front"


@pytest.mark.parametrize("view", list(View))
def test_every_view_is_in_exactly_one_family(view: View) -> None:
    assert view.frontal != view.sagittal
    assert (view in FRONTAL_VIEWS) == view.frontal
    assert (view in SAGITTAL_VIEWS) == view.sagittal
    assert view.family == ("frontal" if view.frontal else "sagittal")


def test_grouping() -> None:
    assert set(FRONTAL_VIEWS) == {View.FRONT, View.REAR}
    assert set(SAGITTAL_VIEWS) == {View.SIDE_LEFT, View.SIDE_RIGHT}


def test_side_view_legs_and_direction() -> None:
    # side-right: camera on the runner's right, runner faces image +x, left leg far.
    assert View.SIDE_RIGHT.near_leg == "right" and View.SIDE_RIGHT.far_leg == "left"
    assert View.SIDE_LEFT.near_leg == "left" and View.SIDE_LEFT.far_leg == "right"
    assert View.SIDE_RIGHT.forward_sign == 1.0 and View.SIDE_LEFT.forward_sign == -1.0
    assert View.FRONT.near_leg is None and View.REAR.forward_sign == 0.0


def test_medial_sign_follows_design() -> None:
    # From the front the runner's left leg is on the image's right: its midline is image -x.
    assert View.FRONT.medial_sign("left") == -1.0
    assert View.FRONT.medial_sign("right") == 1.0
    assert View.REAR.medial_sign("left") == 1.0
    assert View.REAR.medial_sign("right") == -1.0
    with pytest.raises(ValueError, match="no medial"):
        View.SIDE_LEFT.medial_sign("left")
    with pytest.raises(ValueError, match="leg"):
        View.FRONT.medial_sign("both")


def test_parse_view() -> None:
    assert parse_view("rear") is View.REAR
    assert parse_view(View.FRONT) is View.FRONT
    assert parse_view(None) is None
    with pytest.raises(SettingsError, match="unknown view 'top'; choose one of front, rear, "
                                            "side-left, side-right"):
        parse_view("top")
    with pytest.raises(SettingsError, match="choose one of front, rear$"):
        parse_view("side-left", allowed=FRONTAL_VIEWS)
    assert parse_view("rear", allowed=FRONTAL_VIEWS) is View.REAR
