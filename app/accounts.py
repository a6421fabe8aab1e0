"""Creating and checking user accounts (admins and facilitators)."""

from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models import ROLES, User
from app.passwords import hash_password

MIN_PASSWORD_LENGTH = 12


class AccountError(InvalidInput):
    """An account could not be created or changed as asked."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def check_password(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn.")


def create_user(
    *, session: Session, email: str, name: str, role: str, password: str | None
) -> User:
    """Create an account; without a password it can only be activated by an invitation link."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("Skriv en gyldig e-mailadresse.")
    if not name.strip():
        raise AccountError("Skriv et navn.")
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
    session.commit()
    session.refresh(user)
    return user
