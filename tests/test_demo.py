"""The demo municipality is plausible: teams, rounds in distinct colours, moving scores."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db.demo import database_is_empty, seed_demo
from app.db.models import Response, Round, Score, Team, Unit
from app.themes import Catalogue


def test_demo_fills_two_units_three_teams_and_four_rounds_each(
    session: Session, catalogue: Catalogue
) -> None:
    assert database_is_empty(session)
    seed_demo(session=session, catalogue=catalogue)
    assert not database_is_empty(session)
    assert len(session.exec(select(Unit)).all()) == 2
    teams = session.exec(select(Team)).all()
    assert len(teams) == 3
    for team in teams:
        rounds = session.exec(
            select(Round).where(Round.team_id == team.id).order_by(col(Round.id))
        ).all()
        assert [r.status for r in rounds] == ["closed", "closed", "closed", "open"]
        assert len({r.colour for r in rounds}) == 4
        for round_ in rounds[:3]:
            answers = session.exec(
                select(func.count()).select_from(Response).where(Response.round_id == round_.id)
            ).one()
            assert 8 <= answers <= 15


def test_demo_has_some_ved_ikke_and_comments(session: Session, catalogue: Catalogue) -> None:
    seed_demo(session=session, catalogue=catalogue)
    ved_ikke = session.exec(
        select(func.count()).select_from(Score).where(col(Score.value).is_(None))
    ).one()
    comments = session.exec(
        select(func.count()).select_from(Score).where(col(Score.comment).is_not(None))
    ).one()
    assert ved_ikke > 0
    assert comments > 0


def test_demo_scores_rise_over_the_rounds(session: Session, catalogue: Catalogue) -> None:
    seed_demo(session=session, catalogue=catalogue)
    team = session.exec(select(Team)).first()
    assert team is not None
    means = []
    for round_ in session.exec(
        select(Round)
        .where(Round.team_id == team.id, Round.status == "closed")
        .order_by(col(Round.id))
    ):
        mean = session.exec(
            select(func.avg(Score.value))
            .join(Response, col(Response.id) == col(Score.response_id))
            .where(Response.round_id == round_.id)
        ).one()
        means.append(float(mean))
    assert means[0] < means[-1]
