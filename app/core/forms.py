"""Forms read into Pydantic models, and the one place that says their problems in Danish.

Each form's limits are declared once, on the model family in `app.db.models` that also gives the
columns their lengths (`PlanActionBase` for the `plan_action` table and `PlanActionCreate` for its
form). A field's `title` is the label the form shows; the messages name it: »Feltet »Hvem« må
højst være 200 tegn.« The error types are translated by the catalogue's table (`PROBLEMS`).
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.core.scoring import clean_comment
from app.errors import InvalidInput
from app.themes.catalogue import problem_text

Form = TypeVar("Form", bound=BaseModel)


# Before-validators of the form models (`field_validator(..., mode="before")`), so that the
# length limits count what is stored.
def typed_text(value: object) -> object:
    """Text as stored: browser newlines, no control characters, no spaces around it."""
    return clean_comment(value) if isinstance(value, str) else value


def one_line(value: object) -> object:
    """A name on one line: runs of spaces (and newlines) become one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


def field_problem(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """One pydantic error of a form, in Danish, naming the field by its label."""
    name = str(error["loc"][0]) if error["loc"] else ""
    info = model.model_fields.get(name)
    label = info.title if info is not None and info.title else name
    if error["type"] in ("missing", "string_too_short"):
        return f"Udfyld feltet »{label}«."
    if error["type"] == "literal_error":
        return f"Vælg en af mulighederne i feltet »{label}«."
    return f"Feltet »{label}« {problem_text(error)}."


def read_form(model: type[Form], data: Mapping[str, object]) -> Form:
    """The form as its model; InvalidInput naming every problem when it does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [field_problem(model, error) for error in exc.errors()]
        raise InvalidInput(" ".join(dict.fromkeys(problems))) from None
