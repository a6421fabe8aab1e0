"""The public pages: start page and the statement catalogue."""

from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import CatalogueDep
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
