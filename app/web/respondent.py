"""The respondent's phone: the cookie that holds its key for one round, and the join-code limit."""

from fastapi import Request
from sqlmodel import Session

from app.db.limits import TOO_MANY_JOIN_MISSES, address_hash, join_paused, record_join_miss
from app.errors import TooManyRequests
from app.web.addresses import client_address


def key_cookie_name(round_id: int) -> str:
    """The cookie holding this phone's respondent key for one round (never shared by rounds)."""
    return f"sv_r{round_id}"


def join_guesser(request: Request, session: Session) -> str:
    """The hashed address of a join-code lookup; 429 (in Danish) while it has missed too often."""
    guesser = address_hash(request.app.state.secret_key, client_address(request))
    if join_paused(session=session, address_hash=guesser):
        raise TooManyRequests(TOO_MANY_JOIN_MISSES)
    return guesser


def join_missed(session: Session, guesser: str) -> None:
    """Count a code that matched no round against the address (committed at once)."""
    record_join_miss(session=session, address_hash=guesser)
