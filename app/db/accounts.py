"""User accounts: creating, inviting, activating and checking passwords."""

import hashlib
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from importlib.resources import files

from sqlmodel import Session, select

from app.core.passwords import hash_password
from app.db.models import ROLES, User, utcnow
from app.errors import InvalidInput, NotFound

MIN_PASSWORD_LENGTH = 12
INVITE_VALID_FOR = timedelta(days=7)
COMMON_PASSWORDS_FILE = files("app") / "data" / "common_passwords.txt"


class AccountError(InvalidInput):
    """An account could not be created or changed as asked."""


@lru_cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def check_password(password: str) -> None:
    """Refuse passwords that are too short or among the very common ones."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn.")
    lowered = password.lower()
    stem = re.sub(r"[\d!.?]+$", "", lowered)
    if lowered in _common_passwords() or stem in _common_passwords() or len(set(lowered)) < 4:
        raise AccountError("Adgangskoden er for almindelig. Vælg en, der er sværere at gætte.")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    *, session: Session, email: str, name: str, role: str, password: str | None
) -> User:
    """Create an account; without a password it can only be activated by an invitation link."""
    email = normalise_email(email)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise AccountError("Skriv en gyldig e-mailadresse.")
    if not name.strip() or len(name) > 200:
        raise AccountError("Skriv et navn (højst 200 tegn).")
    if role not in ROLES:
        raise AccountError("Ukendt rolle.")
    if password is not None:
        check_password(password)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise AccountError("Der findes allerede en bruger med den e-mailadresse.")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    session.refresh(user)
    return user


def invite_facilitator(*, session: Session, email: str, name: str) -> tuple[User, str]:
    """Create a facilitator without a password and return the one-time invitation token."""
    user = create_user(session=session, email=email, name=name, role="facilitator", password=None)
    return user, renew_invitation(session=session, user=user)


def renew_invitation(*, session: Session, user: User) -> str:
    """A fresh one-time token for the user to set a password (the old one stops working)."""
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = _hash_token(token)
    user.invite_expires_at = utcnow() + INVITE_VALID_FOR
    session.add(user)
    session.flush()
    return token


def user_for_invitation(*, session: Session, token: str) -> User:
    """The user an unexpired invitation token belongs to."""
    user = session.exec(select(User).where(User.invite_token_hash == _hash_token(token))).first()
    if (
        user is None
        or not user.is_active
        or user.invite_expires_at is None
        or user.invite_expires_at < utcnow()
    ):
        raise NotFound(
            "Invitationen er ugyldig eller udløbet. Bed kommunens administrator om en ny."
        )
    return user


def accept_invitation(*, session: Session, token: str, password: str, repeated: str) -> User:
    """Set the password of an invited user; the token cannot be used again."""
    user = user_for_invitation(session=session, token=token)
    if password != repeated:
        raise AccountError("De to adgangskoder er ikke ens.")
    check_password(password)
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    session.add(user)
    session.flush()
    return user


def admin_exists(*, session: Session) -> bool:
    """Whether the first admin has been created (the setup page is gone from then on)."""
    return session.exec(select(User.id).where(User.role == "admin")).first() is not None
