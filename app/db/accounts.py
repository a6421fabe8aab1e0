"""User accounts: creating, inviting, activating, changing passwords and roles, the first run."""

import re
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.forms import read_form
from app.core.passwords import hash_password, hash_token, password_weakness, verify_password
from app.db.audit import record
from app.db.models import ROLES, FirstRun, User, UserBase, utcnow
from app.db.sessions import end_all_login_sessions
from app.errors import InvalidInput, NotFound

INVITE_VALID_FOR = timedelta(days=7)


class AccountError(InvalidInput):
    """An account could not be created or changed as asked."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def check_password(password: str, *, name: str = "", email: str = "") -> None:
    """Refuse a password that is too short or too easy to guess (also from the user's own name)."""
    reason = password_weakness(password, [name, email])
    if reason is not None:
        raise AccountError(reason)


def create_user(
    *, session: Session, email: str, name: str, role: str, password: str | None
) -> User:
    """Create an account; without a password it can only be activated by an invitation link."""
    email = normalise_email(email)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AccountError("Skriv en gyldig e-mailadresse.")
    try:
        typed = read_form(UserBase, {"email": email, "name": name})
    except InvalidInput as problem:
        raise AccountError(problem.message) from None
    email, name = typed.email, typed.name
    if role not in ROLES:
        raise AccountError("Ukendt rolle.")
    if password is not None:
        check_password(password, name=name, email=email)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise AccountError("Der findes allerede en bruger med den e-mailadresse.")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    session.refresh(user)
    return user


def invite_facilitator(
    *, session: Session, email: str, name: str, actor: User | None = None
) -> tuple[User, str]:
    """Create a facilitator without a password and return the one-time invitation token."""
    user = create_user(session=session, email=email, name=name, role="facilitator", password=None)
    return user, renew_invitation(session=session, user=user, actor=actor)


def renew_invitation(*, session: Session, user: User, actor: User | None = None) -> str:
    """A fresh one-time token for the user to set a password (the old one stops working).

    For a user who already has a password this is a reset: their sessions end, and it is logged
    as such, so that an admin cannot quietly take over an account.
    """
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = hash_token(token)
    user.invite_expires_at = utcnow() + INVITE_VALID_FOR
    session.add(user)
    session.flush()
    assert user.id is not None
    if user.password_hash is not None:
        ended = end_all_login_sessions(session=session, user_id=user.id)
        detail = f"{ended} aktive sessioner afsluttet"
        record(
            session=session, actor=actor, kind="password.reset_issued", subject=user, detail=detail
        )
    else:
        record(session=session, actor=actor, kind="invitation.issued", subject=user)
    return token


def user_for_invitation(*, session: Session, token: str) -> User:
    """The user an unexpired invitation token belongs to."""
    user = session.exec(select(User).where(User.invite_token_hash == hash_token(token))).first()
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
    """Set the password of an invited user; the token cannot be used again, old sessions end."""
    user = user_for_invitation(session=session, token=token)
    if password != repeated:
        raise AccountError("De to adgangskoder er ikke ens.")
    check_password(password, name=user.name, email=user.email)
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    session.add(user)
    session.flush()
    assert user.id is not None
    end_all_login_sessions(session=session, user_id=user.id)
    record(session=session, actor=user, kind="password.set", subject=user)
    return user


def change_password(
    *, session: Session, user: User, current: str, password: str, repeated: str
) -> None:
    """The user's own new password; every session of theirs ends (the caller starts a new one)."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Din nuværende adgangskode er forkert.")
    if password != repeated:
        raise AccountError("De to nye adgangskoder er ikke ens.")
    if password == current:
        raise AccountError("Den nye adgangskode skal være en anden end den nuværende.")
    check_password(password, name=user.name, email=user.email)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    assert user.id is not None
    ended = end_all_login_sessions(session=session, user_id=user.id)
    record(
        session=session,
        actor=user,
        kind="password.changed",
        subject=user,
        detail=f"{ended} aktive sessioner afsluttet",
    )


def set_active(*, session: Session, actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; either way its sessions end."""
    if user.id == actor.id and not active:
        raise AccountError("Du kan ikke deaktivere din egen konto.")
    if user.is_active == active:
        return
    user.is_active = active
    session.add(user)
    session.flush()
    assert user.id is not None
    end_all_login_sessions(session=session, user_id=user.id)
    kind = "user.activated" if active else "user.deactivated"
    record(session=session, actor=actor, kind=kind, subject=user)


def set_role(*, session: Session, actor: User, user: User, role: str) -> None:
    """Give an account another role; its sessions end, so the new role starts with a new login."""
    if role not in ROLES:
        raise AccountError("Ukendt rolle.")
    if user.id == actor.id:
        raise AccountError("Du kan ikke ændre din egen rolle.")
    if user.role == role:
        return
    old, user.role = user.role, role
    session.add(user)
    session.flush()
    assert user.id is not None
    end_all_login_sessions(session=session, user_id=user.id)
    record(
        session=session,
        actor=actor,
        kind="user.role_changed",
        subject=user,
        detail=f"{old} → {role}",
    )


def admin_exists(*, session: Session) -> bool:
    """Whether the first admin has been created (the setup page is gone from then on)."""
    return session.exec(select(User.id).where(User.role == "admin")).first() is not None


def issue_setup_token(*, session: Session) -> str | None:
    """While no admin exists, a new one-time setup token (earlier ones stop working)."""
    if admin_exists(session=session):
        return None
    token = secrets.token_urlsafe(32)
    guard = session.get(FirstRun, 1)
    if guard is None:
        guard = FirstRun(id=1, token_hash=hash_token(token))
    guard.token_hash, guard.issued_at, guard.used_at = hash_token(token), utcnow(), None
    session.add(guard)
    session.flush()
    return token


def setup_token_valid(*, session: Session, token: str) -> bool:
    """Whether the token opens the setup page: unused, and no admin exists yet."""
    guard = session.get(FirstRun, 1)
    return (
        guard is not None
        and guard.used_at is None
        and secrets.compare_digest(guard.token_hash, hash_token(token))
        and not admin_exists(session=session)
    )


def create_first_admin(
    *, session: Session, token: str, email: str, name: str, password: str
) -> User:
    """The first admin, at most once however many requests arrive together.

    One conditional UPDATE of the single guard row decides: the database lets exactly one
    transaction change it from unused to used; every other one updates nothing and gets NotFound.
    """
    claimed = session.execute(
        update(FirstRun)
        .where(
            col(FirstRun.id) == 1,
            col(FirstRun.used_at).is_(None),
            col(FirstRun.token_hash) == hash_token(token),
        )
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1 or admin_exists(session=session):  # type: ignore[attr-defined]
        raise NotFound("Opsætningen er allerede gennemført.")
    user = create_user(session=session, email=email, name=name, role="admin", password=password)
    record(session=session, actor=user, kind="setup.completed", subject=user)
    return user


def user_for_sso(
    *, session: Session, email: str, name: str, role: str | None, create_facilitators: bool
) -> User | None:
    """The active account an SSO login with a verified e-mail belongs to, or None.

    A role from the person's groups is applied to the account; an unknown person becomes a
    facilitator only when that is allowed and their groups make them one.
    """
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        if not (create_facilitators and role == "facilitator"):
            return None
        user = create_user(
            session=session, email=email, name=name or email, role=role, password=None
        )
        record(session=session, actor=None, kind="user.created_by_sso", subject=user)
    if not user.is_active:
        return None
    if role is not None and role != user.role:
        detail = f"{user.role} → {role} (grupper ved SSO)"
        user.role = role
        record(session=session, actor=None, kind="user.role_changed", subject=user, detail=detail)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user
