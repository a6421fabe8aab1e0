"""CSRF protection for every state-changing form: a per-session token, checked on POST."""

import hashlib
import hmac
import secrets

from fastapi import Request
from markupsafe import Markup

from app.errors import Forbidden

FIELD_NAME = "csrf_token"
SESSION_KEY = "csrf"


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
    """Refuse a POST whose form does not carry this session's token; nothing is changed."""
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
