"""The FastAPI application factory: :func:`create_app`.

One store (the CLI's: SQLite by default, PostgreSQL by URL) is opened per
app. Pages are Jinja2 templates with HTMX (vendored in ``static/``; no page
loads anything from another site), the JSON API lives under ``/api``.
Artefacts (annotated videos, reports) are never in ``static/``: they are
served by routes that check who is asking (:mod:`kneetrack.web.scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from kneetrack import __version__
from kneetrack.errors import KneetrackError
from kneetrack.store import Store
from kneetrack.web import auth, csrf, services
from kneetrack.web.csrf import CsrfSigner
from kneetrack.web.settings import WebSettings

HERE = Path(__file__).parent
#: Sent with every answer: nothing from other sites, no framing by other sites.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'self'")


@dataclass
class WebState:
    """What every request handler reaches through ``request.app.state.kt``."""

    settings: WebSettings
    store: Store
    signer: CsrfSigner
    templates: Jinja2Templates


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, message: str) -> Response:
    st: WebState = request.app.state.kt
    return st.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(auth.NotSignedInError)
    async def _not_signed_in(request: Request, _exc: auth.NotSignedInError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "sign in or send an API token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(KneetrackError)
    async def _user_error(request: Request, exc: KneetrackError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return _error_page(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or exc.status_code in (204, 304):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        text = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            text = "Not found."
        return _error_page(request, exc.status_code, text)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        msg = f"{where}: {first.get('msg', 'invalid value')}" if where else "invalid request"
        if _is_api(request):
            return JSONResponse({"detail": msg}, status_code=422)
        return _error_page(request, 422, msg)


def _install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def _headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response: Response = await call_next(request)
        nonce = getattr(request.state, "new_csrf_nonce", None)
        if nonce and not request.cookies.get(csrf.COOKIE):
            st: WebState = request.app.state.kt
            response.set_cookie(csrf.COOKIE, nonce, httponly=True, samesite="lax",
                                secure=auth.is_https(request, st), path="/")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.url.path != "/static/htmx.min.js" and not request.url.path.startswith(
                "/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _include_routers(app: FastAPI) -> None:
    # Each module holds one area's routes; the order here is the order in /docs.
    from kneetrack.web import (
        api,
        pages,
        pages_analysis,
        pages_athletes,
        pages_programme,
        routes_jobs,
    )

    for module in (pages, pages_athletes, pages_analysis, pages_programme, routes_jobs, api):
        app.include_router(module.router)
    app.include_router(routes_jobs.api)


def create_app(settings: WebSettings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    settings
        Database, keys and limits (default :class:`WebSettings()`: the CLI's store).
    store
        An already open store to use instead of opening ``settings.db``
        (tests); it is not closed when the app shuts down.

    Returns
    -------
    FastAPI
        The app; serve it with uvicorn (``kneetrack serve``).
    """
    settings = settings or WebSettings()
    own = store is None
    st = store or services.open_app_store(settings.db, settings.artefacts)
    signer = CsrfSigner(csrf.signing_key(st, settings.secret_key),
                        max_age_s=int(settings.session_lifetime.total_seconds()))
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["shown"] = services.shown_name
    templates.env.globals.update(version=__version__, csrf_field=csrf.FIELD,
                                 csrf_header=csrf.HEADER)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app_: FastAPI):  # noqa: ANN202
        from kneetrack.web import routes_jobs

        routes_jobs.start_jobs(app_, st, settings.jobs)  # the job workers live with the server
        try:
            yield
        finally:
            routes_jobs.stop_jobs(app_)
            if own:
                st.close()

    # No /docs or /redoc: those pages load their scripts from a CDN.
    app = FastAPI(title="kneetrack", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="Pages and JSON API of kneetrack. The API takes "
                              "`Authorization: Bearer <token>` (make one on the account page) "
                              "or the browser's sign-in with its CSRF token.")
    app.state.kt = WebState(settings, st, signer, templates)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _install_handlers(app)
    _install_middleware(app)
    _include_routers(app)
    return app


