"""The Jinja2 environment: the templates, with `app.core.formatting` as their filters."""

from importlib.resources import files

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from app.core.formatting import danish_date, danish_datetime, decimal
from app.core.rounds import STATUS_LABELS, effective_status
from app.db.models import Round
from app.web.csrf import csrf_input

templates = Jinja2Templates(directory=str(files("app") / "templates"))


def round_status_label(round_: Round) -> str:
    """The round's status in Danish, counting a passed closing time as closed."""
    return STATUS_LABELS[effective_status(round_)]


templates.env.globals["csrf_input"] = csrf_input
# Templates ask `round_status(round) == "closed"`, not `round.status`: a passed closing time counts.
templates.env.globals["round_status"] = effective_status
templates.env.globals["round_status_label"] = round_status_label
templates.env.filters.update(
    danish_date=danish_date, danish_datetime=danish_datetime, decimal=decimal
)


def render(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    """Render a template with the given context."""
    return templates.TemplateResponse(
        request=request, name=template, context=context, status_code=status_code
    )
