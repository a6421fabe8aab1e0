"""The FastAPI application: settings, catalogue, database, routes and error pages."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from app.auth import LoginRequired
from app.config import Settings, get_settings
from app.db import make_engine
from app.errors import SpindelvaevError
from app.middleware import ContentLengthLimitMiddleware, SecurityHeadersMiddleware
from app.routes import (
    accounts,
    admin,
    api,
    export,
    health,
    meeting,
    pages,
    respond,
    results,
    rounds,
    teams,
)
from app.templating import templates
from app.themes import load_catalogue

logger = logging.getLogger("spindelvaev")

# The largest honest request is a full scoring form with long comments on every statement.
MAX_BODY_BYTES = 512 * 1024
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


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SpindelvaevError)
    async def domain_error(request: Request, exc: SpindelvaevError) -> Response:
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
        response = error_response(request, exc.status_code, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return error_response(request, 422, "Oplysningerne i formularen kunne ikke læses.")

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        logger.exception("Uventet fejl ved %s %s", request.method, request.url.path)
        message = "Der skete en uventet fejl hos os. Prøv igen om lidt."
        return error_response(request, 500, message)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application; a broken catalogue stops it here with a message naming the place."""
    settings = settings or get_settings()
    catalogue = load_catalogue(settings.catalogue_path)
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
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.engine = engine
    app.state.secret_key = settings.signing_key()
    # Sessions are signed cookies (no server state); re-signed on every response, so max_age is an
    # idle timeout.
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret_key,
        session_cookie="spindelvaev_session",
        max_age=settings.session_idle_minutes * 60,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(ContentLengthLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    routers = (
        health,
        pages,
        accounts,
        admin,
        teams,
        rounds,
        respond,
        results,
        meeting,
        export,
        api,
    )
    for module in routers:
        app.include_router(module.router)
    _install_error_handlers(app)
    return app
