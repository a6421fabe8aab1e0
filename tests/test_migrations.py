"""The migration history builds the schema the models describe, with its constraints."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from app.db.models import Response, Round, Score, Team, Unit


def test_migrations_and_models_do_not_differ(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def _response(session: Session) -> Response:
    unit = Unit(name="Enhed")
    session.add(unit)
    session.flush()
    team = Team(name="Team", unit_id=unit.id)
    session.add(team)
    session.flush()
    round_ = Round(
        team_id=team.id,
        label="R",
        colour="#0072B2",
        join_code="ABCDEF",
        link_token="t" * 40,
        catalogue_version="1",
    )
    session.add(round_)
    session.flush()
    response = Response(round_id=round_.id, respondent_key_hash="h" * 64, public_id="p")
    session.add(response)
    session.flush()
    return response


@pytest.mark.parametrize("value", [0, 11, -3])
def test_database_refuses_a_score_outside_the_scale(engine: Engine, value: int) -> None:
    with Session(engine) as session:
        response = _response(session)
        session.add(Score(response_id=response.id, statement_id="s.a.1", value=value))
        with pytest.raises(IntegrityError):
            session.flush()


def test_database_accepts_ved_ikke_as_null(engine: Engine) -> None:
    with Session(engine) as session:
        response = _response(session)
        session.add(Score(response_id=response.id, statement_id="s.a.1", value=None))
        session.flush()


def test_database_refuses_two_scores_for_one_statement_in_one_response(engine: Engine) -> None:
    with Session(engine) as session:
        response = _response(session)
        session.add(Score(response_id=response.id, statement_id="s.a.1", value=3))
        session.flush()
        session.add(Score(response_id=response.id, statement_id="s.a.1", value=4))
        with pytest.raises(IntegrityError):
            session.flush()
