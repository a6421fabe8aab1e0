"""E-mail to staff (invitations and password links) over SMTP; respondents are never written to."""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from app.config import Settings
from app.db.accounts import INVITE_VALID_FOR
from app.db.models import User

logger = logging.getLogger("spindelvaev")
SMTP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Sent:
    """What became of one e-mail: sent, or why not (in Danish, for the admin)."""

    ok: bool
    problem: str = ""


def link_message(*, settings: Settings, user: User, link: str, reset: bool) -> EmailMessage:
    """The Danish e-mail carrying an invitation or a new-password link."""
    days = INVITE_VALID_FOR.days
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = user.email
    if reset:
        message["Subject"] = "Vælg en ny adgangskode til Spindelvæv"
        opening = "Der er lavet et link, så du kan vælge en ny adgangskode til Spindelvæv."
    else:
        message["Subject"] = "Invitation til Spindelvæv"
        how = (
            "Vælg din adgangskode med linket herunder."
            if settings.password_login
            else "Du logger ind med kommunens konto; linket herunder fører dig dertil."
        )
        opening = (
            f"Du er inviteret som mødeleder i Spindelvæv hos {settings.municipality_name}. {how}"
        )
    message.set_content(
        f"Kære {user.name}\n\n{opening}\n\n{link}\n\n"
        f"Linket virker én gang og udløber om {days} dage.\n"
        "Har du ikke bedt om det, kan du se bort fra denne e-mail.\n\n"
        f"Venlig hilsen\n{settings.municipality_name}\n"
    )
    return message


def send(*, settings: Settings, message: EmailMessage) -> Sent:
    """Send one message through the configured SMTP server; a failure is reported, not raised."""
    try:
        if settings.smtp_security == "tls":
            context = ssl.create_default_context()
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=context,
            )
        else:
            server = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS
            )
        with server:
            if settings.smtp_security == "starttls":
                server.starttls(context=ssl.create_default_context())
            password = settings.smtp_secret()
            if settings.smtp_user and password is not None:
                server.login(settings.smtp_user, password)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The reason names the server's answer, never the password or the link.
        logger.warning("E-mail til en bruger kunne ikke sendes (%s)", type(error).__name__)
        return Sent(ok=False, problem=f"{_in_danish(error)}; {type(error).__name__}: {error}"[:300])
    return Sent(ok=True)


def _in_danish(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "SMTP-serveren afviste brugernavn eller adgangskode"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "SMTP-serveren afviste modtagerens adresse"
    if isinstance(error, smtplib.SMTPException):
        return "SMTP-serveren afviste e-mailen"
    return "SMTP-serveren kunne ikke nås"
