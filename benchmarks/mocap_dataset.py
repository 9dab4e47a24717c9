"""Real treadmill runners for the leave-one-runner-out gait-event benchmark.

Two steps:

``python benchmarks/mocap_dataset.py extract --mirror DIR``
    copies the raw files of the public Fukuchi et al. (2017) running data set
    from a local git mirror of ``regifukuchi/BMC-RIC-running-biomechanics``
    (made with the ``fetch`` tool; the files live in that repository's
    history) into ``benchmarks/data/cache/`` (not committed, ~40 MB).
``python benchmarks/mocap_dataset.py build``
    turns them into compact per-trial arrays ``benchmarks/data/mocap3d/*.npz``
    (committed, ~0.3 MB each): joint centres and foot points in metres
    (world frame of :mod:`kneetrack_synthetic.camera`: x forward, y left,
    z up) at the native 150 Hz, plus the truth events.

Each trial keeps 20 s. Joint centres: hip from the pelvis markers (Harrington
et al. 2007 regression), knee and ankle as the epicondyle / malleolus
midpoints of the static trial carried into the thigh and shank marker clusters
(least-squares rigid fit, Söderkvist & Wedin 1993). "Heel" = the posterior
heel marker (``Heel.Bottom``), "toe" = the midpoint of the 1st and 5th
metatarsal-head markers.

Truth events
------------
* ``force``: vertical ground reaction force of the instrumented treadmill
  (300 Hz) crossing 50 N (contact) / falling below it (toe-off), with the leg
  that is lower at mid-contact; sub-sample by linear interpolation.
* ``kinematic`` (weaker; trials without forces): contact when the heel
  marker, after its most forward point, moves backwards faster than half the
  belt speed (it joins the belt: a foot-velocity method, cf. O'Connor et al.
  2007, Leitch et al. 2011, Handsaker et al. 2016; the half-way level is a
  choice, not fitted); toe-off when the metatarsal markers rise 12 mm above
  their stance minimum (a height-threshold method). Against the force plates
  of the two trials that have both (printed by ``build``) contacts come
  -3.8 and -7.9 ms early (median) and toe-offs -8.8 and -13.2 ms, so rows on
  kinematic truth carry that extra uncertainty. The belt speed is measured
  from the stance heel (RBDS032's "T35" file runs at 2.5 m/s).

Licence: the Fukuchi data set is CC-BY-4.0. Fukuchi RK, Fukuchi CA, Duarte M
(2017) A public dataset of running biomechanics and the effects of running
speed on lower extremity kinematics and kinetics. PeerJ 5:e3298.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
CACHE = HERE / "data" / "cache"
OUT = HERE / "data" / "mocap3d"
ATTRIBUTION = ("Fukuchi RK, Fukuchi CA, Duarte M (2017) PeerJ 5:e3298, CC-BY-4.0; "
               "github regifukuchi/BMC-RIC-running-biomechanics")

#: blob id in the mirror -> file name in the cache
BLOBS = {
    "c57a07482b659e3f886cd24d8e43c2d870efa578": "RBDS001runT25markers.txt",
    "a536dce8abbbc91aed9875bc73827a132cecc4e5": "RBDS001runT25forces.txt",
    "a02f762a23987e11293254f377b8749895cc908d": "RBDS001static.txt",
    "1641dbd696cef61c22f9211acd373b5015aeadd4": "RBDS0041runT252.txt",
    "499c963e7b1dd69d0da25b88ecdd6c26cc7e9625": "RBDS0041runT252forces.txt",
    "58251f00c81519e4fefcead40da5ccb9f6b0ef50": "RBDS0041runT352.txt",
    "19384e0e5f5970d04af9956a9dc65a9cc8b06280": "RBDS0041runT452.txt",
    "196de78b21293f06a4f4847c66946c3f425ea55e": "RBDS0041static.txt",
    "e50fd947ee3e80714c74c7f8a34be17677963257": "RBDS032runT35markers.txt",
    "8292bffe61795b0451477a6f31e7b62ed0a245d7": "RBDS032static.txt",
}

#: trial name -> (runner, speed m/s, markers file, static file, forces file or None)
TRIALS = {
    "fukuchi_rbds001_t25": ("rbds001", 2.5, "RBDS001runT25markers.txt", "RBDS001static.txt",
                            "RBDS001runT25forces.txt"),
    "fukuchi_rbds004_t25": ("rbds004", 2.5, "RBDS0041runT252.txt", "RBDS0041static.txt",
                            "RBDS0041runT252forces.txt"),
    "fukuchi_rbds004_t35": ("rbds004", 3.5, "RBDS0041runT352.txt", "RBDS0041static.txt", None),
    "fukuchi_rbds004_t45": ("rbds004", 4.5, "RBDS0041runT452.txt", "RBDS0041static.txt", None),
    "fukuchi_rbds032_t35": ("rbds032", 3.5, "RBDS032runT35markers.txt", "RBDS032static.txt",
                            None),
}
#: Running Injury Clinic (Calgary) trial of the same repository: 4-marker clusters on the
#: pelvis, thighs, shanks and shoes at 200 Hz, no forces; its static trial (anatomical
#: knee, ankle and greater-trochanter markers) survives as the one row of RIC_static.csv,
#: whose cluster geometry matches this run exactly (the other two RIC runs differ by 1-2 cm).
RIC_BLOBS = {
    "a3bb22bbdc2dcea5de0982d7c238010ce14beb3e": "RIC_20140515T133244_run.c3d",
    "4c7c49fcfab6715d057f836eb6842df69f0108f8": "RIC_static.csv",
}
RIC_TRIAL = "ric_20140515_run"
KEEP_S = 20.0
FORCE_HZ = 300.0
FORCE_N = 50.0
KIN_MM = 12.0


def extract(mirror: Path) -> None:
    """Copy the raw files out of a git mirror into the cache folder."""
    CACHE.mkdir(parents=True, exist_ok=True)
    for blob, name in {**BLOBS, **RIC_BLOBS}.items():
        data = subprocess.run(["git", "--git-dir", str(mirror), "cat-file", "blob", blob],
                              check=True, capture_output=True).stdout
        (CACHE / name).write_bytes(data)
        print(f"{name}: {len(data) / 1e6:.1f} MB")


def _read_markers(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    import pandas as pd

    d = pd.read_csv(path, sep="\t")
    t = d.iloc[:, 0].to_numpy(float)
    out = {}
    for c in d.columns[1:]:
        if c.endswith("X"):
            name = c[:-1]
            xyz = d[[name + "X", name + "Y", name + "Z"]].to_numpy(float)
            # lab: X forward, Y up, Z right (mm) -> world: x forward, y left, z up (m)
            out[name] = np.column_stack([xyz[:, 0], -xyz[:, 2], xyz[:, 1]]) / 1000.0
    return t, out


def _rigid(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rotation R and translation p with b ≈ a @ R.T + p (Söderkvist & Wedin 1993)."""
    ca, cb = a.mean(0), b.mean(0)
    u, _s, vt = np.linalg.svd((a - ca).T @ (b - cb))
    d = np.sign(np.linalg.det(vt.T @ u.T))
    r = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return r, cb - ca @ r.T


def _carry(static: dict[str, np.ndarray], dyn: dict[str, np.ndarray], cluster: list[str],
           point: np.ndarray) -> np.ndarray:
    """Carry a static-trial point into every dynamic frame through a marker cluster."""
    a = np.stack([np.nanmean(static[m], axis=0) for m in cluster])
    n = dyn[cluster[0]].shape[0]
    out = np.full((n, 3), np.nan)
    for i in range(n):
        b = np.stack([dyn[m][i] for m in cluster])
        ok = np.isfinite(b).all(axis=1)
        if ok.sum() < 3:
            continue
        r, p = _rigid(a[ok], b[ok])
        out[i] = point @ r.T + p
    return out


def _hjc(m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Hip joint centres (Harrington et al. 2007) from ASIS and PSIS markers."""
    ra, la, rp, lp = m["R.ASIS"], m["L.ASIS"], m["R.PSIS"], m["L.PSIS"]
    o = 0.5 * (ra + la)
    y = la - ra
    pw = np.linalg.norm(y, axis=1, keepdims=True)
    y = y / pw
    back = 0.5 * (rp + lp)
    x = o - back
    pd = np.linalg.norm(x, axis=1, keepdims=True)
    x = x - np.sum(x * y, axis=1, keepdims=True) * y
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    z = np.cross(x, y)
    out = {}
    for leg, s in (("left", 1.0), ("right", -1.0)):
        off = ((-0.24 * pd - 0.0099) * x + (-0.30 * pw - 0.0109) * z
               + s * (0.33 * pw + 0.0073) * y)
        out[leg] = o + off
    return out


def joint_centres(markers: dict[str, np.ndarray], static: dict[str, np.ndarray]
                  ) -> dict[str, np.ndarray]:
    """Canonical points (hips, knees, ankles, heels, toes) for every frame."""
    pts = {f"{leg}_hip": p for leg, p in _hjc(markers).items()}
    for leg, s in (("left", "L"), ("right", "R")):
        thigh = [f"{s}.Thigh.{a}.{b}" for a in ("Top", "Bottom") for b in ("Lateral", "Medial")]
        shank = [f"{s}.Shank.{a}.{b}" for a in ("Top", "Bottom") for b in ("Lateral", "Medial")]
        thigh = [m for m in thigh if m in markers and np.isfinite(markers[m]).mean() > 0.9]
        shank = [m for m in shank if m in markers and np.isfinite(markers[m]).mean() > 0.9]
        knee_s = 0.5 * (np.nanmean(static[f"{s}.Knee"], 0)
                        + np.nanmean(static[f"{s}.Knee.Medial"], 0))
        ankle_s = 0.5 * (np.nanmean(static[f"{s}.Ankle"], 0)
                         + np.nanmean(static[f"{s}.Ankle.Medial"], 0))
        pts[f"{leg}_knee"] = _carry(static, markers, thigh, knee_s)
        pts[f"{leg}_ankle"] = _carry(static, markers, shank, ankle_s)
        pts[f"{leg}_heel"] = markers[f"{s}.Heel.Bottom"]
        pts[f"{leg}_toe"] = 0.5 * (markers[f"{s}.MT1"] + markers[f"{s}.MT5"])
    return pts


def _crossings(sig: np.ndarray, thr: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    above = sig > thr
    up = np.flatnonzero(~above[:-1] & above[1:])
    dn = np.flatnonzero(above[:-1] & ~above[1:])

    def interp(i: np.ndarray) -> np.ndarray:
        f = (thr - sig[i]) / (sig[i + 1] - sig[i])
        return t[i] + f * (t[i + 1] - t[i])
    return interp(up), interp(dn)


def _foot_low(pts: dict[str, np.ndarray], leg: str) -> np.ndarray:
    return np.fmin(pts[f"{leg}_heel"][:, 2], pts[f"{leg}_toe"][:, 2])


def force_events(path: Path, pts: dict[str, np.ndarray], t: np.ndarray
                 ) -> list[dict[str, Any]]:
    """Contacts and toe-offs from the treadmill's vertical force, assigned to a leg."""
    import pandas as pd

    d = pd.read_csv(path, sep="\t")
    fz = d["Fy"].to_numpy(float)          # lab Y is vertical
    if np.median(fz) < 0:
        fz = -fz
    tf = (np.arange(fz.size)) / FORCE_HZ
    ups, dns = _crossings(fz, FORCE_N, tf)
    out = []
    for ic in ups:
        later = dns[dns > ic]
        if later.size == 0:
            continue
        to = float(later[0])
        if not 0.1 < to - ic < 0.5:
            continue
        mid = int(np.searchsorted(t, 0.5 * (ic + to)))
        if mid >= t.size:
            continue
        low = {leg: _foot_low(pts, leg)[mid] for leg in ("left", "right")}
        leg = "left" if low["left"] < low["right"] else "right"
        out.append({"leg": leg, "contact_s": float(ic), "toe_off_s": to,
                    "margin_m": float(abs(low["left"] - low["right"]))})
    return out


def kinematic_events(pts: dict[str, np.ndarray], t: np.ndarray, speed_ms: float
                     ) -> list[dict[str, Any]]:
    """Contacts and toe-offs from foot-marker motion (weaker truth, see module notes)."""
    from scipy.signal import butter, filtfilt, find_peaks

    out = []
    dt = float(np.median(np.diff(t)))
    b, a = butter(2, 20.0 / (0.5 / dt))
    for leg in ("left", "right"):
        low = _foot_low(pts, leg)
        toe = pts[f"{leg}_toe"][:, 2]
        hx = filtfilt(b, a, pts[f"{leg}_heel"][:, 0])
        vx = np.gradient(hx) / dt
        # stance = the foot near its lowest; one minimum per stride
        mins, _ = find_peaks(-low, distance=int(0.45 / dt), prominence=0.03)
        for m in mins:
            lo, hi = max(m - int(0.45 / dt), 0), min(m + int(0.35 / dt), t.size - 2)
            i0 = lo + int(np.argmax(hx[lo:m + 1]))          # heel most forward
            fast = np.flatnonzero(vx[i0:m + 1] < -0.5 * speed_ms)
            if i0 == lo or fast.size == 0:
                continue
            i = i0 + int(fast[0])
            f = (vx[i - 1] + 0.5 * speed_ms) / (vx[i - 1] - vx[i])
            ic = float(t[i - 1] + f * dt)
            tfl = float(np.min(toe[m:hi]))
            tseg = toe[m:hi] - tfl
            j0 = int(np.argmin(tseg))
            over = np.flatnonzero(tseg[j0:] > KIN_MM / 1000)
            if over.size == 0:
                continue
            j = m + j0 + int(over[0]) - 1
            g = (KIN_MM / 1000 - (toe[j] - tfl)) / (toe[j + 1] - toe[j])
            to = float(t[j] + g * dt)
            out.append({"leg": leg, "contact_s": ic, "toe_off_s": to})
    return sorted(out, key=lambda e: e["contact_s"])


def build() -> None:
    """Build ``benchmarks/data/mocap3d/*.npz`` from the cache."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (runner, speed, mk, st, fo) in TRIALS.items():
        if not (CACHE / mk).exists():
            print(f"{name}: {mk} not in {CACHE}; run 'extract' first (skipped)")
            continue
        t, m = _read_markers(CACHE / mk)
        t = np.arange(t.size) / 150.0
        _ts, s = _read_markers(CACHE / st)
        pts = joint_centres(m, s)
        # belt speed from the data (the stance heel's plateau); some file names disagree
        vx = np.gradient(np.concatenate([pts["left_heel"][:, 0], pts["right_heel"][:, 0]]))
        speed = round(float(-np.nanpercentile(vx * 150.0, 5)), 2)
        kin = kinematic_events(pts, t, speed)
        truth, method = kin, "kinematic"
        if fo is not None:
            truth, method = force_events(CACHE / fo, pts, t), "force"
            _compare(name, truth, kin)
        keep = t < KEEP_S
        tt = t[keep]
        truth = [e for e in truth if e["toe_off_s"] < tt[-1]]
        arr = np.stack([pts[k][keep] for k in sorted(pts)]).astype(np.float32)
        # centre the treadmill runner on the origin, ground at z = 0
        mid_hip = 0.5 * (pts["left_hip"][keep] + pts["right_hip"][keep])
        centre = np.nanmean(mid_hip, axis=0)
        ground = float(np.nanpercentile(np.fmin(pts["left_heel"][keep, 2],
                                                pts["right_heel"][keep, 2]), 2))
        arr -= np.array([centre[0], centre[1], ground], dtype=np.float32)
        meta = {"trial": name, "runner": runner, "speed_ms": speed, "fps": 150.0,
                "truth_method": method, "markers": sorted(pts), "source": ATTRIBUTION,
                "events": truth}
        np.savez_compressed(OUT / f"{name}.npz", xyz=arr, time_s=tt.astype(np.float64),
                            meta=np.array(json.dumps(meta)))
        n = {leg: sum(e["leg"] == leg for e in truth) for leg in ("left", "right")}
        print(f"{name}: {tt.size} frames, truth {method}, stances {n}, "
              f"{(OUT / f'{name}.npz').stat().st_size / 1e3:.0f} kB")


def _ric_static() -> dict[str, np.ndarray]:
    """The RIC static trial's one frame (lab mm: X forward, Y up, Z right)."""
    import csv

    with (CACHE / RIC_BLOBS["4c7c49fcfab6715d057f836eb6842df69f0108f8"]).open() as fh:
        rows = list(csv.reader(fh))
    out: dict[str, list[float]] = {}
    for h, v in zip(rows[0][1:], rows[1][1:], strict=True):
        out.setdefault(h[:-2], [0.0, 0.0, 0.0])["XYZ".index(h[-1])] = float(v)
    return {k: np.array(v)[None, :] for k, v in out.items()}


def ric_joint_centres(dyn: dict[str, np.ndarray], static: dict[str, np.ndarray]
                      ) -> dict[str, np.ndarray]:
    """Canonical points of the RIC runner, every static point carried by its cluster.

    Hips: the greater-trochanter markers moved 18 % of their distance medially
    (the hip joint centre lies about that far inside the trochanter; only the
    pelvis's vertical motion and the hip line's tilt matter for events, and
    frontal angles of this runner are not scored). Knees and ankles: epicondyle
    and malleolus midpoints. Heel: below the shoe's most posterior cluster
    marker, 25 mm above the floor; toe: 140 mm ahead of the ankle centre at 25
    mm (the metatarsal heads, where the other runners' toe point is), both rigid
    with the shoe cluster: the toe does not bend at the toes, so this runner's
    toe-offs are not scored.
    """
    fwd = np.array([1.0, 0.0, 0.0])                  # static lab: X forward
    pts: dict[str, np.ndarray] = {}
    lh, rh = static["L_hip"][0], static["R_hip"][0]
    for leg, s, own, other in (("left", "L", lh, rh), ("right", "R", rh, lh)):
        pelvis = [f"pelvis_{k}" for k in range(1, 5)]
        pts[f"{leg}_hip"] = _carry(static, dyn, pelvis, own + 0.18 * (other - own))
        thigh = [f"{s}_thigh_{k}" for k in range(1, 5)]
        shank = [f"{s}_shank_{k}" for k in range(1, 5)]
        foot = [f"{s}_foot_{k}" for k in range(1, 5)]
        knee = 0.5 * (static[f"{s}_lat_knee"][0] + static[f"{s}_med_knee"][0])
        ankle = 0.5 * (static[f"{s}_lat_ankle"][0] + static[f"{s}_med_ankle"][0])
        pts[f"{leg}_knee"] = _carry(static, dyn, thigh, knee)
        pts[f"{leg}_ankle"] = _carry(static, dyn, shank, ankle)
        back = min(foot, key=lambda m: float(static[m][0] @ fwd))
        heel = static[back][0].copy()
        heel[1] = 25.0
        toe = ankle + 140.0 * fwd
        toe[1] = 25.0
        pts[f"{leg}_heel"] = _carry(static, dyn, foot, heel)
        pts[f"{leg}_toe"] = _carry(static, dyn, foot, toe)
    return pts


def build_ric() -> None:
    """Build the RIC runner (``ric_20140515_run.npz``): clusters only, kinematic truth."""
    import ezc3d

    path = CACHE / RIC_BLOBS["a3bb22bbdc2dcea5de0982d7c238010ce14beb3e"]
    if not path.exists():
        print(f"{RIC_TRIAL}: {path.name} not in {CACHE}; run 'extract' first (skipped)")
        return
    c = ezc3d.c3d(str(path))
    rate = float(c["parameters"]["POINT"]["RATE"]["value"][0])
    labels = c["parameters"]["POINT"]["LABELS"]["value"]
    raw = c["data"]["points"][:3]
    dyn = {m: raw[:, i, :].T.copy() for i, m in enumerate(labels)}
    mm = ric_joint_centres(dyn, _ric_static())
    # dynamic lab (mm): Y up, X to the runner's right, Z along the belt; world (m):
    # x forward, y left, z up. The stance foot (the heel near its lowest) moves backwards:
    # that sets the sign of Z.
    heel_z = np.concatenate([mm["left_heel"][:, 2], mm["right_heel"][:, 2]])
    heel_y = np.concatenate([mm["left_heel"][:, 1], mm["right_heel"][:, 1]])
    vz = np.gradient(heel_z) * rate
    low = heel_y < np.nanpercentile(heel_y, 20)
    sign = -1.0 if np.nanmedian(vz[low]) > 0 else 1.0
    pts = {k: np.column_stack([sign * v[:, 2], -v[:, 0], v[:, 1]]) / 1000.0
           for k, v in mm.items()}
    t = np.arange(raw.shape[2]) / rate
    vx = np.gradient(np.concatenate([pts["left_heel"][:, 0], pts["right_heel"][:, 0]]))
    speed = round(float(-np.nanpercentile(vx * rate, 5)), 2)
    truth = kinematic_events(pts, t, speed)
    keep = t < KEEP_S
    tt = t[keep]
    truth = [e for e in truth if e["toe_off_s"] < tt[-1]]
    arr = np.stack([pts[k][keep] for k in sorted(pts)]).astype(np.float32)
    mid_hip = 0.5 * (pts["left_hip"][keep] + pts["right_hip"][keep])
    centre = np.nanmean(mid_hip, axis=0)
    ground = float(np.nanpercentile(np.fmin(pts["left_heel"][keep, 2],
                                            pts["right_heel"][keep, 2]), 2))
    arr -= np.array([centre[0], centre[1], ground], dtype=np.float32)
    meta = {"trial": RIC_TRIAL, "runner": "ric20140515", "speed_ms": speed, "fps": rate,
            "truth_method": "kinematic", "markers": sorted(pts), "frontal": False,
            "score_toe_off": False, "events": truth,
            "source": ("Running Injury Clinic trial 20140515T133244 of " + ATTRIBUTION
                       + " (clusters only; see benchmarks/mocap_dataset.py)")}
    np.savez_compressed(OUT / f"{RIC_TRIAL}.npz", xyz=arr, time_s=tt.astype(np.float64),
                        meta=np.array(json.dumps(meta)))
    n = {leg: sum(e["leg"] == leg for e in truth) for leg in ("left", "right")}
    print(f"{RIC_TRIAL}: {tt.size} frames at {rate:.0f} Hz, belt {speed} m/s, truth kinematic, "
          f"stances {n}, {(OUT / f'{RIC_TRIAL}.npz').stat().st_size / 1e3:.0f} kB")


def _compare(name: str, force: list[dict[str, Any]], kin: list[dict[str, Any]]) -> None:
    """Print the kinematic truth's error against the force plate."""
    ic, to = [], []
    for e in force:
        c = [k for k in kin if k["leg"] == e["leg"] and abs(k["contact_s"] - e["contact_s"]) < 0.1]
        if c:
            ic.append(c[0]["contact_s"] - e["contact_s"])
            to.append(c[0]["toe_off_s"] - e["toe_off_s"])
    if ic:
        a, b = np.array(ic) * 1e3, np.array(to) * 1e3
        print(f"  {name}: kinematic truth vs force: contact {np.median(a):+.1f} ms "
              f"(p10 {np.percentile(a, 10):+.1f}, p90 {np.percentile(a, 90):+.1f}), toe-off "
              f"{np.median(b):+.1f} ms (p10 {np.percentile(b, 10):+.1f}, "
              f"p90 {np.percentile(b, 90):+.1f}), n={a.size}")


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="copy raw files from a git mirror into the cache")
    ex.add_argument("--mirror", type=Path, required=True, help="the mirror's git directory")
    sub.add_parser("build", help="build the compact per-trial arrays from the cache")
    args = ap.parse_args(argv)
    if args.cmd == "extract":
        extract(args.mirror)
    else:
        build()
        build_ric()
    return 0


if __name__ == "__main__":
    sys.exit(main())
