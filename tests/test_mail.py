"""E-mail of invitations and password links, against a real SMTP server on loopback (aiosmtpd)."""

import re
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import Settings
from app.db.models import User
from app.themes import Catalogue
from tests.conftest import TEST_SECRET, AppMaker
from tests.html import text_of
from tests.support import free_port
from tests.world import CSRF, World, act_as, build_world

SMTP_PASSWORD = "smtp-hemmelighed"


class Mailbox:
    """The messages the loopback server accepted, and the logins it saw."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("findes.ikke@"):
            return "550 5.1.1 Ukendt modtager"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login = (data.login.decode(), data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("spindelvaev", SMTP_PASSWORD))


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,  # a loopback test server; real servers use STARTTLS or TLS
    )
    controller.start()
    yield box, port
    controller.stop()


def _mail_settings(port: int, folder: Path) -> dict[str, Any]:
    password_file = folder / "smtp-password"
    password_file.write_text(SMTP_PASSWORD + "\n")
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_user": "spindelvaev",
        "smtp_password_file": password_file,
        "smtp_sender": "spindelvaev@egedal.dk",
    }


@pytest.fixture
def world(session: Session, catalogue: Catalogue) -> World:
    return build_world(session, catalogue)


@pytest.fixture
def mailing(app_with: AppMaker, tmp_path: Path, mailbox: tuple[Mailbox, int]) -> FastAPI:
    return app_with(municipality_name="Egedal Kommune", **_mail_settings(mailbox[1], tmp_path))


def _invite(app: FastAPI, admin: User, path: str = "/admin/brugere", **form: str) -> str:
    with TestClient(app) as client:
        act_as(client, TEST_SECRET.get_secret_value(), admin)
        page = client.post(path, data={**form, "csrf_token": CSRF})
    assert page.status_code == 200
    return page.text


def test_an_invitation_is_e_mailed_in_danish_and_the_link_is_still_shown(
    mailing: FastAPI, world: World, mailbox: tuple[Mailbox, int]
) -> None:
    box, app = mailbox[0], mailing
    page = _invite(app, world.admin, name="Ny Tovholder", email="ny@egedal.dk")
    shown = re.search(r"http://testserver/invitation/[A-Za-z0-9_-]+", page)
    assert shown is not None
    assert "Linket er sendt med e-mail til ny@egedal.dk." in page
    assert box.logins == [("spindelvaev", SMTP_PASSWORD)]
    assert box.envelopes == [("spindelvaev@egedal.dk", ["ny@egedal.dk"])]
    [message] = box.messages
    assert message["Subject"] == "Invitation til Spindelvæv"
    assert message["From"] == "spindelvaev@egedal.dk" and message["To"] == "ny@egedal.dk"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Kære Ny Tovholder\n\nDu er inviteret som mødeleder i Spindelvæv hos")
    assert shown.group(0) in body.split()
    assert "Linket virker én gang og udløber om 7 dage." in body
    assert body.rstrip().endswith("Venlig hilsen\nEgedal Kommune")


def test_a_password_link_for_an_account_with_a_password_is_mailed_as_a_reset(
    mailing: FastAPI, world: World, mailbox: tuple[Mailbox, int], session: Session
) -> None:
    box, app = mailbox[0], mailing
    world.facilitator_a.password_hash = "argon2-hash-stand-in"
    session.add(world.facilitator_a)
    session.commit()
    page = _invite(app, world.admin, f"/admin/brugere/{world.facilitator_a.id}/invitation")
    assert "Linket er sendt med e-mail til a@test.dk." in page
    [message] = box.messages
    assert message["Subject"] == "Vælg en ny adgangskode til Spindelvæv"
    assert "vælge en ny adgangskode" in message.get_content()


def test_a_failed_send_is_shown_clearly_and_the_invitation_and_link_are_kept(
    app_with: AppMaker, tmp_path: Path, engine: Engine, world: World
) -> None:
    nobody = free_port()  # nothing listens there
    app = app_with(**_mail_settings(nobody, tmp_path))
    page = _invite(app, world.admin, name="Ny Tovholder", email="ny@egedal.dk")
    assert "E-mailen kunne ikke sendes (SMTP-serveren kunne ikke nås;" in text_of(page)
    assert "Invitationen er gemt: giv linket videre selv." in text_of(page)
    link = re.search(r"http://testserver(/invitation/[A-Za-z0-9_-]+)", page)
    assert link is not None
    with Session(engine) as fresh:
        assert fresh.exec(select(User).where(User.email == "ny@egedal.dk")).one().is_active
    with TestClient(app) as invited:
        assert invited.get(link.group(1)).status_code == 200


def test_a_recipient_the_server_refuses_is_shown_as_a_failed_send(
    mailing: FastAPI, world: World, mailbox: tuple[Mailbox, int]
) -> None:
    box, app = mailbox[0], mailing
    page = _invite(app, world.admin, name="Ukendt", email="findes.ikke@egedal.dk")
    text = text_of(page)
    assert "E-mailen kunne ikke sendes (SMTP-serveren afviste modtagerens adresse;" in text
    assert SMTP_PASSWORD not in page
    assert box.messages == []
    assert re.search(r"http://testserver/invitation/[A-Za-z0-9_-]+", page)


def test_without_smtp_nothing_is_sent_and_the_page_says_so(app: FastAPI, world: World) -> None:
    page = _invite(app, world.admin, name="Ny Tovholder", email="ny@egedal.dk")
    assert "Spindelvæv sender ikke e-mail" in page


def test_an_smtp_host_without_a_sender_address_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="SPINDELVAEV_SMTP_SENDER skal være en e-mailadresse"):
        Settings(smtp_host="smtp.example.dk")


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, which the test then trusts (SSL_CERT_FILE)."""
    cert, key = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            *subject,
            *files,
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _tls_server(
    tls_files: tuple[Path, Path],
    *,
    tls_context: bool = False,
    ssl_context: bool = False,
    **options: Any,
) -> tuple[Mailbox, int, Controller]:
    """A started loopback server with the certificate: STARTTLS (tls_context) or implicit TLS."""
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(*tls_files)
    box, port = Mailbox(), free_port()
    contexts = {"tls_context": server_side} if tls_context else {}
    if ssl_context:
        contexts["ssl_context"] = server_side
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, **contexts, **options
    )
    controller.start()
    return box, port, controller


def test_starttls_encrypts_before_the_login_and_checks_the_certificate(
    app_with: AppMaker,
    world: World,
    tmp_path: Path,
    tls_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert = tls_files[0]
    box, port, controller = _tls_server(
        tls_files,
        tls_context=True,
        require_starttls=True,  # the login and the message only after STARTTLS
    )
    try:
        mail = {**_mail_settings(port, tmp_path), "smtp_security": "starttls"}
        app = app_with(**mail)
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "someone-else.crt"))
        untrusted = _invite(app, world.admin, name="Første", email="foerste@egedal.dk")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = _invite(app, world.admin, name="Anden", email="anden@egedal.dk")
    finally:
        controller.stop()
    assert "E-mailen kunne ikke sendes" in text_of(untrusted)  # a certificate it cannot check
    assert "Linket er sendt med e-mail til anden@egedal.dk." in trusted
    assert [m["To"] for m in box.messages] == ["anden@egedal.dk"]
    assert box.logins == [("spindelvaev", SMTP_PASSWORD)]


def test_implicit_tls_delivers_the_message_over_an_encrypted_connection(
    app_with: AppMaker,
    world: World,
    tmp_path: Path,
    tls_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert = tls_files[0]
    box, port, controller = _tls_server(
        tls_files,
        ssl_context=True,  # TLS from the first byte (port 465 style), no STARTTLS
        # aiosmtpd counts only STARTTLS as TLS for AUTH; this connection is encrypted throughout.
        auth_require_tls=False,
    )
    try:
        app = app_with(**{**_mail_settings(port, tmp_path), "smtp_security": "tls"})
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        page = _invite(app, world.admin, name="Ny Tovholder", email="ny@egedal.dk")
    finally:
        controller.stop()
    assert "Linket er sendt med e-mail til ny@egedal.dk." in page
    assert [m["To"] for m in box.messages] == ["ny@egedal.dk"]
    assert box.logins == [("spindelvaev", SMTP_PASSWORD)]
