"""``report.pdf``: the report page printed by WeasyPrint from the same template.

WeasyPrint is an optional dependency (``pip install 'kneetrack[pdf]'``) and
needs Pango, HarfBuzz and fontconfig from the operating system.
"""

from __future__ import annotations

from pathlib import Path

from kneetrack.errors import SettingsError


def write_pdf(html: str, path: str | Path, *, base_url: str | Path | None = None) -> Path:
    """Print ``html`` (rendered with ``pdf=True``) to a PDF file.

    Parameters
    ----------
    html
        The report page.
    path
        Output ``.pdf``; written through a temporary file.
    base_url
        Folder that relative links resolve against (the analysis folder).

    Raises
    ------
    SettingsError
        When WeasyPrint or its system libraries are not installed.
    """
    try:
        from weasyprint import HTML
    except ImportError:
        raise SettingsError(
            "PDF output needs WeasyPrint: pip install 'kneetrack[pdf]'"
        ) from None
    except OSError as err:  # the Python package is there, Pango/HarfBuzz are not
        raise SettingsError(
            "PDF output needs the Pango and HarfBuzz system libraries "
            f"(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b): {err}"
        ) from None
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    try:
        HTML(string=html, base_url=str(base_url or p.parent)).write_pdf(str(tmp))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(p)
    return p
