"""Render the report page (``report.html``) from the analysis, with plots inline.

The page is self-contained: styles and images are inside the file (SVG plots
as ``data:`` URIs), nothing is fetched from the network, and it reads on a
phone. The same template, with ``pdf=True``, feeds the PDF writer.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import jinja2

from kneetrack.report.content import metric_reference, report_content
from kneetrack.report.context import build_context
from kneetrack.report.plots import data_uri, figure_svg, report_figures

#: The page's template, and the one it includes (the plausibility panel).
TEMPLATE = "report.html.j2"
_INCLUDED = ("_plausibility.html.j2",)


@functools.cache
def _environment() -> jinja2.Environment:
    """One Jinja environment per process: it keeps the compiled templates."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kneetrack.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def prepare() -> None:
    """Compile the page's template now, e.g. while pose runs, not after the analysis.

    Compiling it costs about 0.1 s of CPU, once per process (the environment
    keeps it, and checks the file has not changed at each use).
    """
    env = _environment()
    for name in (TEMPLATE, *_INCLUDED):
        env.get_template(name)


def _css() -> str:
    return resources.files("kneetrack.report").joinpath("templates/report.css").read_text("utf-8")


def render_plots(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Draw every plot the analysis has data for.

    Returns
    -------
    list of dict
        ``{"id", "title", "caption", "svg", "src", "width", "height"}`` per
        plot; ``src`` is an SVG ``data:`` URI for the page.
    """
    bands = {m: metric_reference(m) for m in report_content()["metrics"]}
    plots = []
    for pid, title, caption, fig in report_figures(analysis, bands):
        svg = figure_svg(fig)
        w, h = fig.get_size_inches() * 100
        plots.append({"id": pid, "title": title, "caption": caption, "svg": svg,
                      "src": data_uri(svg, "image/svg+xml"), "width": int(w), "height": int(h)})
    return plots


def render_report_html(analysis: Mapping[str, Any], *,
                       programme: Mapping[str, Any] | None = None,
                       plots: Sequence[Mapping[str, Any]] | None = None,
                       video: str | None = None,
                       video_poster: str | None = None,
                       strips: Sequence[Mapping[str, Any]] = (),
                       exports: Sequence[Mapping[str, str]] = (),
                       pdf: bool = False,
                       generated: str | None = None) -> str:
    """Return the report page as HTML text.

    Parameters
    ----------
    analysis
        The ``analysis.json`` dict.
    programme
        The ``programme.json`` dict, if there is one.
    plots
        Pre-rendered plots from :func:`render_plots` (drawn here when ``None``).
    video
        Relative link to the annotated video.
    video_poster
        ``data:`` URI of the frame shown before the video plays (and in the PDF).
    strips
        Side-view contact-frame strips (``title``, ``caption``, ``src``).
    exports
        Files of the folder to list (``name``, ``href``, ``what``).
    pdf
        Lay out for WeasyPrint (no video element, sources expanded).
    generated
        Date shown in the header (default: today, UTC).
    """
    if plots is None:
        plots = render_plots(analysis)
    if generated is None:
        generated = _dt.datetime.now(_dt.UTC).strftime("%d %b %Y")
    ctx = build_context(analysis, programme=programme, plots=plots, video=video, strips=strips,
                        exports=exports, generated=generated)
    template = _environment().get_template(TEMPLATE)
    return template.render(css=_css(), pdf=pdf, video_poster=video_poster, **ctx)
