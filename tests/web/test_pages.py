from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from kneetrack.app.screen import build_screening
from kneetrack.errors import InputError
from kneetrack.store import Store
from kneetrack.web import services

from .conftest import Browser, add_athlete_with_data, add_owner, athlete_account


@pytest.fixture
def owner_browser(app: FastAPI, store: Store) -> Browser:
    add_owner(store)
    b = Browser(app)
    b.login("owner@clinic.test")
    return b


def _athlete(store: Store, aid: int) -> Any:
    a = services.athlete_by_id(store, aid)
    assert a is not None
    return a


def test_report_page_shows_the_numbers_of_analysis_json(owner_browser: Browser, store: Store,
                                                       analysis_folder: Path) -> None:
    owner = services_owner(store)
    aid = add_athlete_with_data(store, owner, "Rita", analysis_folder)
    an = services.analyses(store, _athlete(store, aid))[0]
    data = json.loads((analysis_folder / "analysis.json").read_text())
    r = owner_browser.get(f"/athletes/{aid}/analyses/{an.id}")
    assert r.status_code == 200
    assert f'data-value="{data["cadence_spm"]}"' in r.text
    assert f"{data['cadence_spm']:.1f} steps/min" in r.text
    rows = re.findall(r'<tr data-stance="(\d+)" data-leg="(\w+)">', r.text)
    assert len(rows) == len(data["stances"]) > 0
    assert [leg for _n, leg in rows] == [s["leg"] for s in data["stances"]]
    seeks = [float(x) for x in re.findall(r'data-seek="([^"]+)"', r.text)]
    assert seeks == pytest.approx([s["contact_s"] for s in data["stances"]])
    fppa = re.findall(r'<td class="fppa">([^<]*)</td>', r.text)
    for cell, s in zip(fppa, data["stances"], strict=True):
        want = "—" if s["fppa_peak_deg"] is None else f"{s['fppa_peak_deg']:.1f}°"
        assert cell == want
    assert f'src="/athletes/{aid}/analyses/{an.id}/video"' in r.text
    # The full report is served through the authorised route, its plots too.
    rep = owner_browser.client.get(f"/athletes/{aid}/analyses/{an.id}/files/report.html")
    assert rep.status_code == 200 and "text/html" in rep.headers["content-type"]
    svgs = sorted(p.name for p in (analysis_folder / "plots").glob("*.svg"))
    if svgs:
        got = owner_browser.client.get(f"/athletes/{aid}/analyses/{an.id}/files/plots/{svgs[0]}")
        assert got.status_code == 200


def services_owner(store: Store) -> Any:
    from kneetrack.web import accounts

    user = accounts.authenticate(store, "owner@clinic.test", "correct horse battery")
    assert user is not None
    return user


def test_video_answers_range_requests_for_seeking(owner_browser: Browser, store: Store,
                                                 analysis_folder: Path) -> None:
    aid = add_athlete_with_data(store, services_owner(store), "Rita", analysis_folder)
    an = services.analyses(store, _athlete(store, aid))[0]
    url = f"/athletes/{aid}/analyses/{an.id}/video"
    whole = (analysis_folder / "annotated.mp4").read_bytes()
    r = owner_browser.client.get(url, headers={"Range": "bytes=1000-1499"})
    assert r.status_code == 206
    assert r.content == whole[1000:1500]
    assert r.headers["content-range"] == f"bytes 1000-1499/{len(whole)}"
    assert r.headers["content-type"] == "video/mp4"
    full = owner_browser.client.get(url)
    assert full.status_code == 200 and full.content == whole
    assert full.headers.get("accept-ranges") == "bytes"


def test_artefacts_are_not_in_any_public_folder(app: FastAPI, store: Store,
                                               analysis_folder: Path) -> None:
    owner = add_owner(store)
    aid = add_athlete_with_data(store, owner, "Rita", analysis_folder)
    an = services.analyses(store, _athlete(store, aid))[0]
    anon = Browser(app)
    for url in (f"/athletes/{aid}/analyses/{an.id}/video",
                f"/athletes/{aid}/analyses/{an.id}/files/report.html"):
        r = anon.client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
    assert anon.client.get("/static/annotated.mp4").status_code == 404
    static = Path(__file__).resolve().parents[2] / "src/kneetrack/web/static"
    assert sorted(p.name for p in static.iterdir()) == [
        "app.css", "app.js", "htmx.LICENSE", "htmx.min.js", "jobs.js"]


def test_screening_form_validates_like_the_cli(owner_browser: Browser, store: Store) -> None:
    owner_browser.get("/athletes")
    r = owner_browser.post("/athletes", {"name": "Sam"})
    aid = int(re.search(r'action="/athletes/(\d+)/invite"|/athletes/(\d+)/screening',
                        r.text).group(0).split("/")[2])
    page = owner_browser.get(f"/athletes/{aid}/screening")
    assert page.status_code == 200
    for qid in ("pain_worst_0_10", "level", "knee_to_wall_left_cm", "equipment"):
        assert f'name="{qid}"' in page.text
    bad = {"level": "beginner", "has_pain": "yes", "pain_worst_0_10": "11"}
    with pytest.raises(InputError) as cli_err:
        build_screening(bad)
    r = owner_browser.post(f"/athletes/{aid}/screening", bad)
    assert r.status_code == 400
    assert str(cli_err.value) in r.text.replace("&#39;", "'").replace("&quot;", '"')
    assert 'value="11"' in r.text                                  # nothing typed is lost
    assert services.screenings(store, _athlete(store, aid)) == []
    good = {"level": "beginner", "has_pain": "yes", "pain_worst_0_10": "3",
            "equipment": ["band", "step"], "knee_to_wall_left_cm": "9"}
    r = owner_browser.post(f"/athletes/{aid}/screening", good, follow_redirects=False)
    assert r.status_code == 303
    [s] = services.screenings(store, _athlete(store, aid))
    assert s.data["symptoms"]["pain_worst_0_10"] == 3
    assert s.data["tests"]["knee_to_wall_cm"]["left"] == 9
    assert s.data == build_screening({k: ",".join(v) if isinstance(v, list) else v
                                      for k, v in good.items()},
                                     date=s.taken_on.isoformat()).to_dict()


def test_plan_week_and_one_tap_logging(owner_browser: Browser, store: Store,
                                       analysis_folder: Path) -> None:
    from kneetrack.app.athletes import store_analysis

    owner = services_owner(store)
    athlete = services.add_athlete(store, "Lea")
    assert athlete.id is not None
    from kneetrack.web import accounts

    accounts.link_athlete(store, owner, athlete.id)
    store_analysis(store, "Lea", analysis_folder)
    owner_browser.get(f"/athletes/{athlete.id}")
    r = owner_browser.post(f"/athletes/{athlete.id}/plan", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/week")
    week = owner_browser.get(f"/athletes/{athlete.id}/week")
    assert week.status_code == 200
    forms = re.findall(r'name="exercise_id" value="([^"]+)"', week.text)
    assert forms, "the week shows exercises to log"
    # One tap: the form is already filled in with the planned dose.
    first = re.search(r'<form method="post" action="/athletes/\d+/log".*?</form>', week.text,
                      re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', first))
    r = owner_browser.client.post(f"/athletes/{athlete.id}/log", data=fields,
                                  headers={"HX-Request": "true"})
    assert r.status_code == 200 and "✓ logged" in r.text
    [lg] = store.list_logs(athlete.id)
    assert lg.exercise_id == fields["exercise_id"]
    if "sets" in fields:
        assert lg.sets == int(fields["sets"])
    assert lg.pain == 0
    assert lg.performed_on <= dt.date.today()
    # Bad numbers get the CLI's checks: nothing stored.
    bad = {**fields, "pain": "12"}
    r = owner_browser.client.post(f"/athletes/{athlete.id}/log", data=bad)
    assert r.status_code == 422 and len(store.list_logs(athlete.id)) == 1


def test_progress_page_and_low_adherence_flag(owner_browser: Browser, store: Store,
                                              analysis_folder: Path) -> None:
    owner = services_owner(store)
    late = add_athlete_with_data(store, owner, "Late Starter", analysis_folder,
                                 plan_start=dt.date.today() - dt.timedelta(days=22))
    # Starts tomorrow: nothing is due yet, so nothing can be missed.
    fresh = add_athlete_with_data(store, owner, "Fresh Start", analysis_folder,
                                  plan_start=dt.date.today() + dt.timedelta(days=1))
    rep = services.progress_report(store, _athlete(store, late))
    assert rep.adherence is not None and rep.adherence.good is False
    page = owner_browser.get("/athletes")
    items = dict(re.findall(r'<li data-athlete="(\d+)">(.*?)</li>', page.text, re.S))
    assert 'data-flag="low_adherence"' in items[str(late)]
    assert 'data-flag="low_adherence"' not in items[str(fresh)]
    prog = owner_browser.get(f"/athletes/{late}/progress")
    assert prog.status_code == 200
    done = re.search(r'id="adherence-done">(\d+)<', prog.text).group(1)
    assert int(done) == rep.adherence.done
    assert "one analysis per view so far" in prog.text      # the app's own advice
    assert '<svg class="trend"' in prog.text and "SDD ±" in prog.text


def test_pain_flag_comes_from_the_pain_trend(store: Store, analysis_folder: Path) -> None:
    owner = add_owner(store)
    aid = add_athlete_with_data(store, owner, "Sore", analysis_folder,
                                plan_start=dt.date.today() - dt.timedelta(days=21))
    athlete = _athlete(store, aid)
    assert not services.athlete_flags(store, athlete).pain
    for days in (20, 13, 6, 1):
        services.log_exercise(store, athlete, [{"exercise_id": "glute_bridge", "pain": 7}],
                              performed_on=dt.date.today() - dt.timedelta(days=days))
    rep = services.progress_report(store, athlete)
    assert rep.pain is not None and (rep.pain.persistent or rep.pain.trend == "rising")
    assert services.athlete_flags(store, athlete).pain


def test_export_zip_and_delete_with_files(owner_browser: Browser, store: Store,
                                          analysis_folder: Path) -> None:
    owner = services_owner(store)
    aid = add_athlete_with_data(store, owner, "Gone Soon", analysis_folder)
    athlete_account(store, owner, aid, "gone@run.test")
    an = services.analyses(store, _athlete(store, aid))[0]
    assert an.artefact_dir is not None and an.artefact_dir.is_dir()
    r = owner_browser.client.get(f"/athletes/{aid}/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        record = json.loads(zf.read("athlete.json"))
    assert record["athlete"]["name"] == "Gone Soon"
    assert any(n.endswith("annotated.mp4") for n in names)
    owner_browser.get(f"/athletes/{aid}")
    r = owner_browser.post(f"/athletes/{aid}/delete", follow_redirects=False)
    assert r.status_code == 303
    assert services.athlete_by_id(store, aid) is None
    assert not an.artefact_dir.exists()
    from kneetrack.web import accounts

    assert accounts.authenticate(store, "gone@run.test", "correct horse battery") is None
    assert owner_browser.client.get(f"/athletes/{aid}").status_code == 404


def test_no_page_loads_anything_from_outside(app: FastAPI, store: Store,
                                              analysis_folder: Path) -> None:
    b = Browser(app)
    pages = [b.get("/setup").text]
    owner = add_owner(store)
    aid = add_athlete_with_data(store, owner, "Web", analysis_folder)
    an = services.analyses(store, _athlete(store, aid))[0]
    pages.append(b.get("/login").text)
    b.login("owner@clinic.test")
    for url in ("/athletes", f"/athletes/{aid}", f"/athletes/{aid}/analyses/{an.id}",
                f"/athletes/{aid}/screening", f"/athletes/{aid}/week",
                f"/athletes/{aid}/progress", "/account",
                f"/athletes/{aid}/analyses/{an.id}/files/report.html"):
        r = b.get(url)
        assert r.status_code == 200, url
        pages.append(r.text)
    pages.append(b.client.get("/static/app.css").text)
    pages.append(b.client.get("/assets/report.css").text)
    external = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
                          r"""|url\(\s*["']?(?:https?:)?//|@import""", re.I)
    for html in pages:
        assert not external.search(html), external.search(html)
    assert "http://" not in b.client.get("/static/htmx.min.js").text


def test_trend_chart_band_is_the_first_value_plus_minus_sdd() -> None:
    from kneetrack.web.pages_programme import trend_chart

    d = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    ch = trend_chart(list(zip(d, [10.0, 9.0, 2.0], strict=True)), sdd=3.0)
    assert ch is not None
    ys = [y for _x, y, _t in ch.dots]
    inside = ch.band_top <= ys[1] <= ch.band_top + ch.band_height    # 9 is within 10 ± 3
    outside = ys[2] > ch.band_top + ch.band_height                    # 2 is below 10 - 3
    assert inside and outside
    first = ys[0]
    assert first == pytest.approx(ch.band_top + ch.band_height / 2, abs=0.2)
    assert trend_chart([(d[0], None)], sdd=1.0) is None
