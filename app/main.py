"""The FastAPI application: settings, catalogue, database, routes and error pages."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.config import Settings, get_settings
from app.db.engine import make_engine
from app.errors import LoginRequired, Rejected, SpindelvaevError
from app.routes import (
    accounts,
    admin,
    api,
    export,
    health,
    meeting,
    overview,
    pages,
    respond,
    results,
    rounds,
    sso,
    teams,
)
from app.themes import load_catalogue
from app.web.logs import redact, redact_access_log
from app.web.middleware import ContentLengthLimitMiddleware, SecurityHeadersMiddleware
from app.web.templating import templates

logger = logging.getLogger("spindelvaev")

# The largest honest request is a full scoring form with long comments on every statement.
MAX_BODY_BYTES = 512 * 1024
# Starlette's messages when a form breaks its limits (FastAPI passes them on as a bare 400).
FORM_LIMIT_MESSAGES = ("Too many fields", "Too many files", "Part exceeded maximum size")
STATUS_TITLES = {
    400: "Forkert forespørgsel",
    401: "Log ind",
    403: "Ingen adgang",
    404: "Siden findes ikke",
    405: "Metoden er ikke tilladt",
    413: "For meget data",
    422: "Ugyldige oplysninger",
    429: "For mange forsøg",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status_code: int, message: str) -> Response:
    """A Danish error page (404.html or error.html), or JSON for API clients."""
    title = STATUS_TITLES.get(status_code, "Noget gik galt")
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    name = "404.html" if status_code == 404 else "error.html"
    context = {"title": title, "message": message, "status_code": status_code}
    return templates.TemplateResponse(
        request=request, name=name, context=context, status_code=status_code
    )


def _over_form_limits(exc: BaseException) -> bool:
    """Whether the framework refused a form (as a 400) for its number of fields or a part's size."""
    seen: BaseException | None = exc
    while seen is not None:
        if str(getattr(seen, "detail", seen)).startswith(FORM_LIMIT_MESSAGES):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SpindelvaevError)
    async def domain_error(request: Request, exc: SpindelvaevError) -> Response:
        if isinstance(exc, Rejected):
            assert isinstance(exc.page, Response)
            return exc.page
        if isinstance(exc, LoginRequired) and not _wants_json(request):
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return error_response(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code != 404
            else ("Vi kunne ikke finde den side, du leder efter.")
        )
        if exc.status_code == 405:
            message = "Siden kan ikke bruges på den måde."
        if exc.status_code == 400 and _over_form_limits(exc):
            message = "Formularen har flere felter, end Spindelvæv tager imod. Intet er gemt."
            return error_response(request, 413, message)
        response = error_response(request, exc.status_code, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            # Encoded as FastAPI does: a validator's ValueError sits in the errors' context.
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return error_response(request, 422, "Oplysningerne i formularen kunne ikke læses.")

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def unusable_input(request: Request, exc: Exception) -> Response:
        # Only a hand-made request gets here. An id beyond the database's integers (PostgreSQL
        # 2**31, SQLite 2**63) names nothing that exists; a NUL character in a text (PostgreSQL
        # refuses it) is refused as input. Nothing was stored either way.
        reason = type(getattr(exc, "orig", exc)).__name__  # not the message: it holds the values
        path = redact(request.url.path)
        logger.info("Databasen afviste input ved %s %s (%s)", request.method, path, reason)
        out_of_range = getattr(getattr(exc, "orig", None), "sqlstate", "") == "22003"
        if isinstance(exc, OverflowError) or out_of_range:
            return error_response(request, 404, "Vi kunne ikke finde den side, du leder efter.")
        message = "Forespørgslen indeholder et tegn, som Spindelvæv ikke kan bruge."
        return error_response(request, 422, message)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        logger.exception("Uventet fejl ved %s %s", request.method, redact(request.url.path))
        message = "Der skete en uventet fejl hos os. Prøv igen om lidt."
        return error_response(request, 500, message)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application; a broken catalogue stops it here with a message naming the place."""
    settings = settings or get_settings()
    catalogue = load_catalogue(settings.catalogue_path)
    if not settings.database_url:
        settings.make_data_dir()  # the default SQLite file lives there
    engine = engine or make_engine(settings.effective_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Spindelvæv",
        description="Tværprofessionelle teams vurderer og følger op på deres samarbejde.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their files from a CDN and run inline scripts: neither fits
        # "no third parties" nor the CSP. The schema itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Backstop for bodies sent without a Content-Length (answered in English by Starlette).
        max_body_size=8 * MAX_BODY_BYTES,
    )
    redact_access_log(log_addresses=settings.log_addresses)
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.engine = engine
    app.state.secret_key = settings.signing_key()
    # The signed cookie carries a login_session token (app/web/auth.py); the table decides whether
    # it still counts, so the cookie's own age limit is only the absolute lifetime.
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret_key,
        session_cookie="spindelvaev_session",
        max_age=settings.session_max_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(ContentLengthLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.trusted_proxy_list:
        # Outermost: X-Forwarded-For and -Proto count only when the connection is from a proxy
        # listed in SPINDELVAEV_TRUSTED_PROXIES (`serve` leaves uvicorn's own handling off).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    routers = (
        health,
        pages,
        accounts,
        sso,
        admin,
        teams,
        rounds,
        respond,
        results,
        meeting,
        export,
        api,
        overview,
    )
    for module in routers:
        app.include_router(module.router)
    _install_error_handlers(app)
    return app
