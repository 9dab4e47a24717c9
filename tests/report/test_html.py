"""report.html: every section present, self-contained, escaped, tolerant of missing data."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kneetrack.report.html import render_report_html

from .helpers import make_analysis
from .test_context import PROGRAMME

SECTIONS = ["verdict", "numbers", "plots", "findings", "explainer", "quality", "about"]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.srcs: list[str] = []
        self.hrefs: list[str] = []
        self.scripts = 0
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-section" in a:
            self.sections.append(a["data-section"])
        if "src" in a:
            self.srcs.append(a["src"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag == "script":
            self.scripts += 1
        if tag == "link":
            self.hrefs.append(a.get("href", ""))
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2 and data.strip():
            self.h2.append(data.strip())
            self._in_h2 = False


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def test_front_report_has_all_sections_and_inline_plots():
    html = render_report_html(make_analysis(), generated="1 Dec 2026")
    p = parse(html)
    assert p.sections == SECTIONS
    imgs = [s for s in p.srcs if s.startswith("data:image/svg+xml;base64,")]
    assert len(imgs) >= 7
    assert "14.0°" in html and "1 Dec 2026" in html
    assert "Left knee valgus" in html


def test_report_is_self_contained():
    html = render_report_html(make_analysis(), programme=PROGRAMME)
    p = parse(html)
    assert p.scripts == 0
    for url in p.srcs + p.hrefs:
        assert not re.match(r"^(https?:)?//", url), url
    assert "@import" not in html and "url(http" not in html


def test_text_from_files_is_escaped():
    a = make_analysis()
    a["findings"][0]["text"] = "<script>alert(1)</script> & more"
    html = render_report_html(a)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_programme_and_referral_sections():
    html = render_report_html(make_analysis(), programme=PROGRAMME)
    p = parse(html)
    assert "programme" in p.sections
    assert "Hip abductor weakness" in html and "Banded clamshell (3 × 12, light band)" in html
    urgent = dict(PROGRAMME, referral={"needed": True, "urgency": "urgent",
                                       "to": ["a sports medicine physician"],
                                       "reasons": ["knee locks"]}, weeks=[])
    p = parse(render_report_html(make_analysis(), programme=urgent))
    assert p.sections[0] == "referral"  # an urgent referral comes before everything
    soon = dict(PROGRAMME, referral={"needed": True, "urgency": "soon",
                                     "to": ["a physical therapist"], "reasons": ["pain 6 weeks"]})
    p = parse(render_report_html(make_analysis(), programme=soon))
    assert p.sections.index("referral") > p.sections.index("findings")


def test_side_view_report_tolerates_missing_frontal_data():
    html = render_report_html(make_analysis(view="side-right"))
    assert "Not measured from this view: Knee angle (FPPA), Hip adduction, Pelvic drop" in html
    assert "Shank angle at contact" in html


@pytest.mark.parametrize("analysis", [
    {"schema": "kneetrack.analysis/1"},
    {"schema": "kneetrack.analysis/1", "view": "front", "stances": [{"leg": "left"}],
     "curves": {"percent_stance": [0, 1]}, "findings": [None, {"code": "x"}],
     "quality": {"warnings": [{"message": "odd"}]}, "summary": {"left": None}},
])
def test_degenerate_analyses_render(analysis):
    html = render_report_html(analysis)
    assert parse(html).sections == SECTIONS
    assert "No plot could be drawn" in html


def test_video_element_only_on_screen():
    a = make_analysis()
    screen = render_report_html(a, video="annotated.mp4")
    assert '<video id="annotated"' in screen and 'src="annotated.mp4"' in screen
    assert 'width="1920" height="1080"' in screen
    pdf = render_report_html(a, video="annotated.mp4", pdf=True)
    assert "<video" not in pdf and "annotated.mp4" in pdf


@pytest.mark.browser
def test_full_report_with_programme_on_a_phone(tmp_path):
    from browser import inspect_page, require_chromium

    require_chromium()
    prog = dict(PROGRAMME, referral={"needed": True, "urgency": "soon",
                                     "to": ["a physical therapist"],
                                     "reasons": ["knee pain for more than 6 weeks"]})
    page = tmp_path / "report.html"
    page.write_text(render_report_html(make_analysis(steps=5, fps=30.0), programme=prog))
    st = inspect_page(page, tmp_path / "report_fixture_phone.png", width=360, height=740)
    assert st["errors"] == [] and st["network"] == []
    assert all(i["ok"] for i in st["images"]) and len(st["images"]) >= 7
    assert not st["overflowX"], "page scrolls sideways on a small phone"
    assert st["sections"] == ["verdict", "numbers", "plots", "findings", "programme",
                              "referral", "explainer", "quality", "about"]


def test_prepared_templates_are_not_compiled_again(monkeypatch):
    # prepare() runs while pose does; the page rendered after the video must not compile.
    import jinja2

    from kneetrack.report import html as html_mod

    html_mod._environment.cache_clear()
    html_mod.prepare()

    def no_compile(*args, **kwargs):
        raise AssertionError("template compiled after prepare()")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compile)
    page = render_report_html(make_analysis(), generated="1 Dec 2026")
    assert "1 Dec 2026" in page and 'data-section="quality"' in page  # after the include
