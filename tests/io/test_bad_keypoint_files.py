"""Issue 16 point 3: a header-only TRC and an all-NaN TRC (and their CSV/OpenPose cousins)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kneetrack.cli.main import main
from kneetrack.errors import InputError
from kneetrack.io.csv import read_csv, write_csv
from kneetrack.io.load import load_keypoints
from kneetrack.io.openpose import BODY_25, read_openpose_folder
from kneetrack.io.trc import read_trc, write_trc
from kneetrack.samples import sample_path


@pytest.fixture
def sample():
    return load_keypoints(sample_path("runner_front_60fps.trc")).slice_frames(0, 30)


def _cli(capsys, *args):
    code = main(list(args))
    err = capsys.readouterr().err
    return code, err


def test_header_only_trc_says_it_has_no_data(tmp_path, sample, capsys):
    full = write_trc(sample, tmp_path / "full.trc").read_text().splitlines()
    for keep in (4, 5, 6):  # names row only; + X/Y/Z row; + the blank line
        p = tmp_path / f"head{keep}.trc"
        p.write_text("\n".join(full[:keep]) + "\n")
        with pytest.raises(InputError) as exc:
            read_trc(p)
        msg = str(exc.value)
        assert msg == f"{p}: TRC file has no data rows (only its header)"
        assert "PathFileType" not in msg
    out = tmp_path / "out"
    code, err = _cli(capsys, "analyze", str(tmp_path / "head6.trc"), "--out", str(out), "-q")
    assert code == 2 and err.strip().endswith("has no data rows (only its header)")
    assert not (out / "analysis.json").exists()


def test_truncated_trc_header_is_named(tmp_path, sample):
    full = write_trc(sample, tmp_path / "full.trc").read_text().splitlines()
    p = tmp_path / "cut.trc"
    p.write_text("\n".join(full[:2]) + "\n")
    with pytest.raises(InputError, match="TRC header is incomplete"):
        read_trc(p)
    p.write_text("DataRate\tUnits\n60\tpx\n")
    with pytest.raises(InputError, match="no PathFileType header"):
        read_trc(p)


def _all_nan(kp):
    return kp.replace(xy=np.full_like(kp.xy, np.nan), confidence=np.zeros_like(kp.confidence))


def test_all_nan_trc_is_an_error_not_filming_advice(tmp_path, sample, capsys):
    p = write_trc(_all_nan(sample), tmp_path / "nan.trc")
    with pytest.raises(InputError) as exc:
        read_trc(p)
    assert str(exc.value) == (f"{p}: no tracked keypoints: every hip, knee and ankle value "
                              "is empty or NaN")
    # also with literal NaN cells rather than empty ones
    text = p.read_text().splitlines()
    rows = [r.split("\t") for r in text[6:]]
    q = tmp_path / "nan2.trc"
    q.write_text("\n".join(text[:6] + ["\t".join(r[:2] + ["NaN"] * (len(r) - 2))
                                       for r in rows]) + "\n")
    with pytest.raises(InputError, match="no tracked keypoints"):
        read_trc(q)
    out = tmp_path / "out"
    code, err = _cli(capsys, "analyze", str(q), "--out", str(out), "-q")
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "no tracked keypoints" in err and "view" not in err
    assert not (out / "analysis.json").exists() and not (out / "report.html").exists()


def test_one_tracked_leg_marker_is_still_read(tmp_path, sample):
    xy = np.full_like(sample.xy, np.nan)
    j = sample.index("left_knee")
    xy[:, j] = sample.xy[:, j]
    p = write_trc(sample.replace(xy=xy), tmp_path / "one.trc")
    assert np.isfinite(read_trc(p)["left_knee"]).all()


def test_all_nan_csv_and_openpose(tmp_path, sample):
    p = write_csv(_all_nan(sample), tmp_path / "nan.csv")
    with pytest.raises(InputError, match=f"^{p}: no tracked keypoints"):
        read_csv(p)
    folder = tmp_path / "op"
    folder.mkdir()
    for i in range(3):
        flat = [0.0, 0.0, 0.0] * len(BODY_25)
        flat[0:3] = [10.0, 10.0, 0.9]  # only the nose is seen
        (folder / f"{i:03d}_keypoints.json").write_text(
            json.dumps({"people": [{"pose_keypoints_2d": flat}]}))
    with pytest.raises(InputError, match=f"^{folder}: no tracked keypoints"):
        read_openpose_folder(folder)
