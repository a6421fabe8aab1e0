"""The first run: only who holds the one-time token that `serve` prints creates the first admin."""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import SETUP_TOKEN_FILE
from app.cli import app as cli
from app.db.accounts import create_user, issue_setup_token
from app.db.models import AuditEntry, User

PASSWORD = "en-god-lang-adgangskode"


def _token(session: Session) -> str:
    token = issue_setup_token(session=session)
    session.commit()
    assert token is not None
    return token


def _form(client: TestClient, path: str, email: str = "chef@kommune.dk") -> dict[str, str]:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return {
        "email": email,
        "name": "Chef",
        "password": PASSWORD,
        "repeated": PASSWORD,
        "csrf_token": match.group(1),
    }


@pytest.mark.parametrize("path", ["/opsaetning", "/opsaetning/forkert-engangskode"])
def test_setup_without_the_token_is_not_found(
    client: TestClient, session: Session, path: str
) -> None:
    _token(session)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"email": "x@y.dk"}).status_code in (403, 404)
    assert session.exec(select(User)).all() == []


def test_an_earlier_token_stops_working_when_a_new_one_is_issued(
    client: TestClient, session: Session
) -> None:
    first = _token(session)
    second = _token(session)
    assert client.get(f"/opsaetning/{first}").status_code == 404
    assert client.get(f"/opsaetning/{second}").status_code == 200


def test_no_token_is_issued_once_an_admin_exists(session: Session) -> None:
    create_user(session=session, email="a@kommune.dk", name="A", role="admin", password=None)
    session.commit()
    assert issue_setup_token(session=session) is None


def test_the_token_is_gone_once_used(client: TestClient, session: Session) -> None:
    path = f"/opsaetning/{_token(session)}"
    answer = client.post(path, data=_form(client, path), follow_redirects=False)
    assert answer.status_code == 303
    assert client.get(path).status_code == 404
    # The first-run setup is one act of the audit table (tests/test_audit.py): exactly one entry.
    entries = session.exec(select(AuditEntry).where(AuditEntry.kind == "setup.completed")).all()
    admin = session.exec(select(User).where(User.role == "admin")).one()
    assert [entry.actor_id for entry in entries] == [admin.id]
    assert PASSWORD not in entries[0].detail


def test_twenty_concurrent_setup_posts_create_exactly_one_admin(
    app: FastAPI, session: Session
) -> None:
    path = f"/opsaetning/{_token(session)}"
    with TestClient(app) as client:
        form = _form(client, path)
        cookies = dict(client.cookies)

    def post(index: int) -> int:
        # Each thread its own client (no shared portal), so the requests really run together.
        attacker = TestClient(app, cookies=cookies)
        data = form | {"email": f"chef{index}@kommune.dk"}
        return attacker.post(path, data=data, follow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(20)))
    assert statuses.count(303) == 1
    assert set(statuses) <= {303, 404}
    admins = session.exec(select(func.count()).select_from(User).where(User.role == "admin")).one()
    assert admins == 1


def test_serve_prints_the_link_and_writes_it_0600_while_no_admin_exists(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    token_file = cli_env / "var" / SETUP_TOKEN_FILE
    link = token_file.read_text(encoding="utf-8").strip()
    assert link in result.output
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = link.rsplit("/", 1)[1]
    create_user(session=session, email="a@kommune.dk", name="A", role="admin", password=None)
    session.commit()
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert not token_file.exists()
    assert token  # a used or superseded token opens nothing (see the tests above)
