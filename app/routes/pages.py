"""The public pages: start page, statement catalogue, accessibility statement, privacy notice."""

from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import CatalogueDep, SettingsDep
from app.web.templating import templates

STATIC_DIR = str(files("app") / "static")

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request, catalogue: CatalogueDep) -> HTMLResponse:
    """The Danish start page."""
    return templates.TemplateResponse(
        request=request, name="index.html", context={"catalogue": catalogue}
    )


@router.get("/udsagn", response_class=HTMLResponse)
def catalogue_page(request: Request, catalogue: CatalogueDep) -> HTMLResponse:
    """Every theme, area and statement, with where its wording comes from."""
    return templates.TemplateResponse(
        request=request, name="catalogue.html", context={"catalogue": catalogue}
    )


@router.get("/tilgaengelighed", response_class=HTMLResponse)
def accessibility_statement(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The accessibility statement the Danish web accessibility act requires."""
    return templates.TemplateResponse(
        request=request, name="accessibility.html", context={"settings": settings}
    )


@router.get("/privatliv", response_class=HTMLResponse)
def privacy_notice(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The privacy notice (GDPR art. 13): what is stored about staff and respondents, and why."""
    return templates.TemplateResponse(
        request=request, name="privacy.html", context={"settings": settings}
    )
