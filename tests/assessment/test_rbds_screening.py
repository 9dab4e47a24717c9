"""The causes engine on the REAL clinical screening of 28 runners (Fukuchi et al. 2017).

``mocap/fukuchi2017_RBDS001/RBDSinfo.txt`` (CC-BY-4.0; Fukuchi RK, Fukuchi CA,
Duarte M (2017) PeerJ 5:e3298) holds, per runner: age, height, mass, sex,
training, injury history, Thomas and Ober test angles and hand-held dynamometer
hip strength per side. Rows repeat once per trial file; one runner per
``Subject``. The file has no ``LHIPIR`` column (left internal-rotation strength).

How the study's numbers map onto ``screening.json`` (our reading of the data;
the file carries no units):

* Thomas / Ober angles are stored as degrees of the thigh BELOW the horizontal
  (positive = more flexible): their means (+11°, +33°) mirror the inclinometer
  norms of Ferber et al. 2010 (-10.6°, -24.6°, negative = below) from the same
  clinic's protocol, and an Ober thigh held 33° ABOVE the horizontal would be
  implausible. Our fields use positive = above the horizontal, so the sign flips.
* Strength (``RHIPABD`` ...) reads as isometric force in % body weight (abduction
  about 27, external rotation about 11): N·m/kg = %BW / 100 x g x lever, with
  the lever from Winter's segment lengths (abduction: hip to ankle 0.491 x
  height; external rotation: knee to ankle 0.246 x height). The lever is an
  assumption; the quartile comparison below does not depend on it much.
* Injury history (``Injury``, ``InjuryLoc``, dates 2009-2016) is past, not current
  pain, so it is not entered as symptoms; it is only counted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from assessment_builders import analysis

from kneetrack.assessment import CauseInference
from kneetrack.assessment.referral import ReferralCheck
from kneetrack.screening.norms import interpret
from kneetrack.screening.schema import Screening, parse_screening

G = 9.81
ABD_LEVER_PER_HEIGHT = 0.491  # hip joint to ankle (Winter 2009, thigh 0.245 + shank 0.246)
ER_LEVER_PER_HEIGHT = 0.246  # knee to ankle (Winter 2009)
THOMAS_TIGHT_ABOVE_DEG = -7.5  # the causes.yaml / thresholds cut-off
WEEKLY_KM = {"16-25 km": 20.5, "26-35 km": 30.5, "36-45 km": 40.5, "> 45 km": 50.0, ">45 km": 50.0}


@dataclass
class Runner:
    subject: int
    injured: bool
    injury_location: str
    screening: Screening
    abduction_min_nm_per_kg: float


def _num(row: dict[str, str], key: str) -> float | None:
    text = (row.get(key) or "").strip()
    return float(text) if text not in ("", "-", "NaN", "nan") else None


def _side(row: dict[str, str], key: str, scale: float = 1.0) -> dict[str, float]:
    out = {}
    for leg, prefix in (("right", "R"), ("left", "L")):
        v = _num(row, prefix + key)
        if v is not None:
            out[leg] = round(v * scale, 3)
    return out


def runner_from_row(row: dict[str, str]) -> Runner:
    """One RBDSinfo row -> a validated :class:`Screening` (test helper, not product code)."""
    height_m = float(row["Height"]) / 100.0
    abd = _side(row, "HIPABD", G / 100.0 * ABD_LEVER_PER_HEIGHT * height_m)
    er = _side(row, "HIPER", G / 100.0 * ER_LEVER_PER_HEIGHT * height_m)
    insert = (row.get("ShoeInsert") or "").strip()
    doc: dict[str, Any] = {
        "schema": "kneetrack.screening/1",
        "athlete": {
            "level": "advanced" if row["Level"].strip() == "Elite" else "intermediate",
            "sex": {"M": "male", "F": "female"}[row["Gender"].strip()],
            "age_years": int(row["Age"]),
            "height_m": height_m,
            "mass_kg": float(row["Mass"]),
            "dominant_leg": {"R": "right", "L": "left"}[row["Dominance"].strip()],
        },
        "training": {
            "weekly_km": WEEKLY_KM[row["Volume"].strip()],
            "runs_per_week": float(row["SessionsPerWk"]),
            "years_running": round(float(row["Experience"]) / 12.0, 2),
        },
        "shoes": {"orthotics": insert not in ("", "None", "nan")},
        "tests": {
            # The study's positive = below the horizontal; ours = above.
            "thomas_test_deg": {k: -v for k, v in _side(row, "Thomas").items()},
            "ober_test_deg": {k: -v for k, v in _side(row, "Ober").items()},
            "hip_abduction_nm_per_kg": abd,
            "hip_external_rotation_nm_per_kg": er,
        },
    }
    return Runner(
        subject=int(row["Subject"]),
        injured=row["Injury"].strip().lower() == "yes",
        injury_location=row["InjuryLoc"].strip(),
        screening=parse_screening(doc),
        abduction_min_nm_per_kg=min(abd.values()),
    )


@pytest.fixture(scope="module")
def rbds_rows(shared_data: Path) -> list[dict[str, str]]:
    path = shared_data / "mocap" / "fukuchi2017_RBDS001" / "RBDSinfo.txt"
    if not path.is_file():
        pytest.skip(f"RBDSinfo.txt not found: {path}")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def runners(rbds_rows: list[dict[str, str]]) -> list[Runner]:
    seen: dict[str, dict[str, str]] = {}
    for row in rbds_rows:
        seen.setdefault(row["Subject"], row)
    return [runner_from_row(row) for row in seen.values()]


@pytest.fixture(scope="module")
def inferred(runners: list[Runner]) -> dict[int, CauseInference]:
    neutral = analysis()  # front view, no running findings
    return {r.subject: CauseInference().infer(neutral, r.screening) for r in runners}


def _codes(result: CauseInference) -> set[str]:
    return {c["code"] for c in result.causes_}


def _cause(result: CauseInference, code: str) -> dict[str, Any]:
    return next(c for c in result.causes_ if c["code"] == code)


def test_every_runner_parses_once(rbds_rows, runners):
    assert len(rbds_rows) > 28  # one row per trial file
    assert len(runners) == 28
    assert sorted(r.subject for r in runners) == list(range(1, 29))
    for r in runners:
        t = r.screening.tests
        assert t.thomas_test_deg is not None and t.thomas_test_deg.left is not None
        assert t.ober_test_deg is not None and t.ober_test_deg.right is not None
        # Plausible strength after the %BW -> N·m/kg conversion.
        assert 0.8 < r.abduction_min_nm_per_kg < 3.5
        assert t.hip_external_rotation_nm_per_kg is not None
        assert 0.15 < (t.hip_external_rotation_nm_per_kg.left or 0) < 0.8
    # RBDS001 as documented in the data README: male, 22 years.
    first = next(r for r in runners if r.subject == 1)
    assert (first.screening.athlete.sex, first.screening.athlete.age_years) == ("male", 22)
    assert first.screening.tests.thomas_test_deg.right == -10  # 10 deg below horizontal


def test_sign_convention_matches_published_norms(runners):
    # Our sign: most runners' thighs hang below the horizontal, as in Ferber 2010.
    thomas = [
        v
        for r in runners
        for v in (r.screening.tests.thomas_test_deg.left, r.screening.tests.thomas_test_deg.right)
    ]
    ober = [
        v
        for r in runners
        for v in (r.screening.tests.ober_test_deg.left, r.screening.tests.ober_test_deg.right)
    ]
    mean_thomas = sum(thomas) / len(thomas)
    mean_ober = sum(ober) / len(ober)
    assert -16 < mean_thomas < -6  # Ferber 2010: -10.6 ± 9.6
    assert -38 < mean_ober < -24  # Ferber 2010: -24.6 ± 7.3 (this sample is looser)
    assert sum(v < 0 for v in thomas) > 0.85 * len(thomas)


def test_tight_thomas_test_gives_hip_mobility_with_its_evidence(runners, inferred):
    tight = {
        r.subject
        for r in runners
        if max(r.screening.tests.thomas_test_deg.left, r.screening.tests.thomas_test_deg.right)
        > THOMAS_TIGHT_ABOVE_DEG
    }
    with_mobility = {s for s, res in inferred.items() if "hip_mobility" in _codes(res)}
    # About a third of the sample is tight (Ferber 2010: 208 of 600 limbs rated tight).
    assert 6 <= len(tight) <= 12, sorted(tight)
    # Nothing else in these screenings speaks for limited hip mobility: no Ober test
    # in the tight range, no hip pain reported, no running findings.
    assert with_mobility == tight
    for s in tight:
        cause = _cause(inferred[s], "hip_mobility")
        assert any("Thomas test" in line for line in cause["evidence"]), cause["evidence"]
        assert not any("Ober" in line for line in cause["evidence"])
        # Hip rotation was not measured in this study: listed as not assessed.
        assert "hip internal rotation range" in cause["not_assessed"]


def test_no_ober_test_in_the_tight_range(runners, inferred):
    # The study's runners all let the thigh drop 25 deg or more below the horizontal.
    worst = max(
        max(r.screening.tests.ober_test_deg.left, r.screening.tests.ober_test_deg.right)
        for r in runners
    )
    assert worst <= -25
    for res in inferred.values():
        for cause in res.causes_:
            assert not any("Ober" in line for line in cause["evidence"])


def test_weakest_hip_abductors_get_hip_weakness_more_often(runners, inferred):
    ranked = sorted(runners, key=lambda r: r.abduction_min_nm_per_kg)
    quarter = len(ranked) // 4
    bottom, top = ranked[:quarter], ranked[-quarter:]

    def rate(group: list[Runner]) -> float:
        hits = sum("hip_abductor_weakness" in _codes(inferred[r.subject]) for r in group)
        return hits / len(group)

    print(
        f"\nhip_abductor_weakness: weakest quarter {rate(bottom):.0%}, "
        f"strongest quarter {rate(top):.0%} "
        f"(abduction {bottom[-1].abduction_min_nm_per_kg:.2f} / "
        f"{top[0].abduction_min_nm_per_kg:.2f} N·m/kg at the quartile edges)"
    )
    assert rate(bottom) >= 0.5
    assert rate(top) == 0.0
    assert rate(bottom) > rate(top)
    for r in bottom:
        res = inferred[r.subject]
        if "hip_abductor_weakness" in _codes(res):
            lines = _cause(res, "hip_abductor_weakness")["evidence"]
            assert any("abduction" in line.lower() or "rotation" in line.lower() for line in lines)


def test_no_urgent_referral_and_injury_counts(runners, inferred):
    urgencies = {
        r.subject: ReferralCheck().check(r.screening, analysis()).referral_["urgency"]
        for r in runners
    }
    assert "urgent" not in urgencies.values()
    injured = [r for r in runners if r.injured]
    healthy = [r for r in runners if not r.injured]
    assert (len(injured), len(healthy)) == (9, 19)
    assert all(r.injury_location not in ("", "-") for r in injured)

    def share(group: list[Runner], code: str) -> str:
        n = sum(code in _codes(inferred[r.subject]) for r in group)
        return f"{n}/{len(group)}"

    lines = [
        f"{code}: injured {share(injured, code)}, uninjured {share(healthy, code)}"
        for code in ("hip_mobility", "hip_abductor_weakness", "muscle_imbalance")
    ]
    print("\n" + "\n".join(lines))


def test_screening_notes_flag_the_same_tight_hips(runners):
    for r in runners:
        notes = [n for n in interpret(r.screening) if n.topic == "thomas_test" and n.leg]
        assert len(notes) == 2
        for n in notes:
            assert (n.status == "flag") == (n.value > THOMAS_TIGHT_ABOVE_DEG)


def test_fact_labels_do_not_repeat_test():
    from kneetrack.assessment.facts import fact_label

    label, _ = fact_label("tests.thomas_test_deg.max")
    assert "test test" not in label.lower() and label.lower().startswith("thomas test")
    assert fact_label("tests.knee_to_wall_cm.min")[0].lower().startswith("knee to wall test")
