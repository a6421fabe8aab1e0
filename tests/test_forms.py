"""Forms read into the model families of app.db.models: one limit for column and form, in Danish."""

import re

import pytest
from pydantic import BaseModel
from sqlmodel import SQLModel

from app.core.forms import read_form
from app.db.models import (
    ActionReview,
    ApiToken,
    ApiTokenBase,
    NamedBase,
    PlanAction,
    PlanActionCreate,
    Priority,
    PriorityNotes,
    Round,
    RoundBase,
    Team,
    Unit,
    User,
    UserBase,
)
from app.errors import InvalidInput

# (form model, the table it types into)
FAMILIES: list[tuple[type[BaseModel], type[SQLModel]]] = [
    (PlanActionCreate, PlanAction),
    (ActionReview, PlanAction),
    (PriorityNotes, Priority),
    (RoundBase, Round),
    (NamedBase, Unit),
    (NamedBase, Team),
    (UserBase, User),
    (ApiTokenBase, ApiToken),
]


def _max_length(model: type[BaseModel], name: str) -> int | None:
    for constraint in model.model_fields[name].metadata:
        if hasattr(constraint, "max_length"):
            return int(constraint.max_length)
    return None


@pytest.mark.parametrize(("form", "table"), FAMILIES, ids=lambda m: m.__name__)
def test_every_form_limit_is_the_column_length(
    form: type[BaseModel], table: type[SQLModel]
) -> None:
    columns = table.__table__.columns  # type: ignore[attr-defined]
    checked = 0
    for name in form.model_fields:
        limit = _max_length(form, name)
        if limit is None or name not in columns:
            continue
        assert getattr(columns[name].type, "length", None) == limit, f"{table.__name__}.{name}"
        checked += 1
    assert checked, f"{form.__name__} has no limited text field"


def test_every_problem_is_named_by_its_field_in_danish() -> None:
    typed = {"what": " ", "who": "x" * 201, "due_on": "31/1", "status": "færdig"}
    with pytest.raises(InvalidInput) as refused:
        read_form(PlanActionCreate, typed | {"priority_id": ""})
    assert refused.value.message == (
        "Udfyld feltet »Hvad«. Feltet »Hvem« må højst være 200 tegn. "
        "Feltet »Hvornår« skal være en dato skrevet som åååå-mm-dd. "
        "Vælg en af mulighederne i feltet »Status«."
    )


def test_limits_count_what_is_stored_not_what_was_typed() -> None:
    # 200 characters once the spaces around it are gone: accepted, and stored without them.
    assert read_form(NamedBase, {"name": f"  {'x' * 200}  "}).name == "x" * 200
    assert read_form(NamedBase, {"name": "Team   Nord\n"}).name == "Team Nord"
    with pytest.raises(InvalidInput, match=re.escape("Feltet »Navn« må højst være 200 tegn.")):
        read_form(NamedBase, {"name": "x" * 201})
    with pytest.raises(InvalidInput, match=re.escape("Feltet »Navn« må højst være 100 tegn.")):
        read_form(ApiTokenBase, {"name": "x" * 101})
    note = read_form(ActionReview, {"status": "i_gang", "follow_up_note": " Godt\r\nmøde\x00 "})
    assert note.follow_up_note == "Godt\nmøde"
