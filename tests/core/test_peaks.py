"""The numpy peak finder against scipy.signal.find_peaks (the reference)."""

import numpy as np
import pytest
from scipy import signal

from kneetrack.core.peaks import find_peaks, local_maxima, prominences


def _signals():
    rng = np.random.default_rng(7)
    for k in range(40):
        n = int(rng.integers(3, 900))
        x = np.cumsum(rng.normal(size=n))
        if k % 3 == 0:
            x = np.round(x)  # flat tops and ties
        if k % 5 == 0:
            x = np.abs(np.sin(np.arange(n) / rng.uniform(2, 20))) + rng.normal(0, 0.05, n)
        yield x


@pytest.mark.parametrize("distance,prominence", [(None, None), (1, None), (4, None),
                                                 (12.5, None), (None, 0.5), (None, 3.0),
                                                 (7, 1.0), (25, 0.2)])
def test_same_peaks_as_scipy(distance, prominence):
    for x in _signals():
        ours, props = find_peaks(x, distance=distance, prominence=prominence)
        kw = {k: v for k, v in (("distance", distance), ("prominence", prominence))
              if v is not None}
        ref, rprops = signal.find_peaks(x, **kw)
        np.testing.assert_array_equal(ours, ref)
        if prominence is not None:
            np.testing.assert_allclose(props["prominences"], rprops["prominences"])


def test_flat_tops_give_their_middle_and_ends_are_never_peaks():
    x = np.array([5.0, 1, 2, 2, 2, 2, 1, 0, 3, 3, 3])
    assert local_maxima(x).tolist() == [3]  # 2..5 -> middle 3; the rising end is no peak
    assert local_maxima(np.array([1.0, np.nan, 1.0, 2.0, 1.0])).tolist() == [3]
    assert local_maxima(np.array([1.0, 2.0])).tolist() == []


def test_distance_keeps_the_higher_of_two_close_peaks():
    x = np.array([0.0, 3, 0, 5, 0, 0, 0, 0, 2, 0])
    assert find_peaks(x, distance=3)[0].tolist() == [3, 8]
    assert find_peaks(x)[0].tolist() == [1, 3, 8]


def test_prominence_measures_from_the_higher_base():
    x = np.array([0.0, 4, 3, 6, 1, 2, 0])
    assert prominences(x, np.array([1, 3, 5])).tolist() == [1.0, 6.0, 1.0]
    assert find_peaks(x, prominence=1.5)[0].tolist() == [3]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        find_peaks(np.zeros(5), distance=0.5)
    with pytest.raises(ValueError, match="1-D"):
        find_peaks(np.zeros((3, 3)))
