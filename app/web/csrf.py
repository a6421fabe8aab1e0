"""CSRF protection for every state-changing form: a per-session token, checked on POST."""

import hashlib
import hmac
import re
import secrets

from fastapi import Request
from markupsafe import Markup

from app.errors import Forbidden, InvalidInput

FIELD_NAME = "csrf_token"
SESSION_KEY = "csrf"
# NUL and the other control characters (tab and line breaks are text): PostgreSQL refuses NUL in a
# text column, SQLite would store it, and neither belongs in a name, a plan or a note.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = (
    "Formularen indeholder et usynligt styretegn (fx NUL), som Spindelvæv ikke gemmer. "
    "Skriv teksten igen uden det, og prøv igen. Intet er gemt."
)


def _same(expected: str, submitted: str) -> bool:
    # As bytes: compare_digest refuses (TypeError) a str with a non-ASCII character in it.
    return hmac.compare_digest(expected.encode(), submitted.encode())


def csrf_token(request: Request) -> str:
    """This visitor's token, created on first use and kept in the signed session cookie."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def csrf_input(request: Request) -> Markup:
    """The hidden form field carrying the token (templates: `{{ csrf_input(request) }}`)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD_NAME, csrf_token(request)
    )


async def require_csrf(request: Request) -> None:
    """Refuse a POST whose form does not carry this session's token; nothing is changed.

    Every staff form passes here, so this is also where a control character in any of its text
    fields is refused (422), the same on SQLite and PostgreSQL, before a handler sees it.
    """
    expected = request.session.get(SESSION_KEY)
    form = await request.form()
    submitted = form.get(FIELD_NAME)
    if (
        not isinstance(expected, str)
        or not isinstance(submitted, str)
        or not _same(expected, submitted)
    ):
        raise Forbidden(
            "Formularen er udløbet eller kom ikke fra Spindelvæv. Genindlæs siden og prøv igen."
        )
    if any(
        isinstance(value, str) and CONTROL_CHARACTERS.search(value)
        for _, value in form.multi_items()
    ):
        raise InvalidInput(CONTROL_MESSAGE)


def respondent_token(secret: str, round_id: int, respondent_key: str) -> str:
    """The scoring form's token: bound to the phone's own key cookie, so it never expires.

    A page elsewhere can neither read that HttpOnly cookie nor compute this from it.
    """
    message = f"respondent:{round_id}:{respondent_key}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def respondent_token_ok(
    secret: str, round_id: int, respondent_key: str | None, sent: object
) -> bool:
    """Whether a submitted scoring form carries the token of this phone's key."""
    if respondent_key is None or not isinstance(sent, str):
        return False
    return _same(respondent_token(secret, round_id, respondent_key), sent)
