"""Creating rounds: their colour, join code, secret link and frozen statement texts."""

import secrets
from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import Round, RoundStatement
from app.themes import Catalogue

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Yellow comes last: it is
# the hardest to see on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
# No look-alikes: no 0/O, no 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def next_colour(used: Iterable[str]) -> str:
    """The first palette colour the team has not used; after eight rounds the palette repeats."""
    used_list = [colour.upper() for colour in used]
    for colour in PALETTE:
        if colour not in used_list:
            return colour
    return PALETTE[len(used_list) % len(PALETTE)]


def new_join_code() -> str:
    """A random six-character code that is easy to read aloud and type on a phone."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    """The code as stored: upper case, without spaces or dashes people type."""
    return "".join(code.split()).replace("-", "").upper()


def _unused_join_code(session: Session) -> str:
    while True:
        code = new_join_code()
        if session.exec(select(Round.id).where(Round.join_code == code)).first() is None:
            return code


def create_round(
    *,
    session: Session,
    catalogue: Catalogue,
    team_id: int,
    label: str,
    theme_ids: list[str],
    status: str = "draft",
) -> Round:
    """Add a round for the team with the next colour and a snapshot of the chosen themes' texts."""
    known = {theme.id for theme in catalogue.themes}
    chosen = [theme.id for theme in catalogue.themes if theme.id in theme_ids]
    if not theme_ids or not set(theme_ids) <= known:
        raise InvalidInput("Vælg mindst ét af katalogets temaer.")
    label = label.strip()
    if not label:
        raise InvalidInput("Runden skal have et navn.")
    used = session.exec(select(Round.colour).where(Round.team_id == team_id)).all()
    round_ = Round(
        team_id=team_id,
        label=label,
        colour=next_colour(used),
        status=status,
        themes=chosen,
        join_code=_unused_join_code(session),
        link_token=secrets.token_urlsafe(32),
        catalogue_version=catalogue.version,
    )
    session.add(round_)
    session.flush()
    assert round_.id is not None
    position = 0
    for theme_id in chosen:
        theme = catalogue.theme(theme_id)
        for area in theme.areas:
            for statement in area.statements:
                session.add(
                    RoundStatement(
                        round_id=round_.id,
                        statement_id=statement.id,
                        position=position,
                        theme_id=theme.id,
                        area_id=area.id,
                        theme_title=theme.title,
                        area_title=area.title,
                        text=statement.text,
                        short=statement.short,
                    )
                )
                position += 1
    return round_


def round_statements(*, session: Session, round_id: int) -> list[RoundStatement]:
    """The statements of a round as they were worded then, in catalogue order."""
    query = (
        select(RoundStatement)
        .where(RoundStatement.round_id == round_id)
        .order_by(col(RoundStatement.position))
    )
    return list(session.exec(query).all())
