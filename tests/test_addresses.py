"""Addresses phones can reach: `serve` names the address it serves; loopback ones are warned of."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import get_settings
from app.themes import Catalogue
from app.web import addresses
from app.web.addresses import is_loopback, lan_address, unreachable_from_phones
from tests.html import parse, text_of
from tests.world import build_world
from tests.world import facilitator_client as _client

runner = CliRunner()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("[::1]", True),
        ("192.168.1.20", False),
        ("spindelvaev.kommune.dk", False),
    ],
)
def test_loopback_hosts_are_recognised(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_loopback_base_url_is_warned_of_with_the_lan_address_and_the_same_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(addresses, "lan_address", lambda: "192.168.1.20")
    warning = unreachable_from_phones("http://127.0.0.1:8731")
    assert warning is not None and warning.suggestion == "http://192.168.1.20:8731"
    monkeypatch.setattr(addresses, "lan_address", lambda: None)
    without_lan = unreachable_from_phones("http://localhost:8000")
    assert without_lan is not None and without_lan.suggestion is None
    assert unreachable_from_phones("https://spindelvaev.kommune.dk") is None


def test_the_lan_address_is_read_without_sending_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []

    class Probe(socket.socket):
        def send(self, *args: Any, **kwargs: Any) -> int:
            sent.append(args)
            return 0

        def sendto(self, *args: Any, **kwargs: Any) -> int:  # type: ignore[override]
            sent.append(args)
            return 0

    monkeypatch.setattr(socket, "socket", Probe)
    found = lan_address()
    assert sent == []
    assert found is None or not is_loopback(found)


def _join_page(app: FastAPI, session: Session, catalogue: Catalogue, base_url: str) -> str:
    app.state.settings.base_url = base_url
    world = build_world(session, catalogue)
    with _client(app, world) as client:
        return client.get(f"/runder/{world.round_a.id}/deltag").text


def test_the_qr_page_says_phones_cannot_reach_a_loopback_address(
    app: FastAPI, session: Session, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(addresses, "lan_address", lambda: "192.168.1.20")
    page = _join_page(app, session, catalogue, "http://127.0.0.1:8000")
    warning = parse(page).select_one(".address-warning")
    assert warning is not None
    assert "Telefoner kan ikke nå denne adresse" in text_of(str(warning))
    assert "SPINDELVAEV_BASE_URL=http://192.168.1.20:8000" in text_of(str(warning))


def test_the_qr_page_has_no_warning_for_a_public_address(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    page = _join_page(app, session, catalogue, "https://spindelvaev.kommune.dk")
    assert parse(page).select_one(".address-warning") is None


@pytest.fixture
def no_base_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`serve` with uvicorn replaced, on a new SQLite file: what it would have been started with."""
    started: dict[str, Any] = {}
    monkeypatch.setenv("SPINDELVAEV_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SPINDELVAEV_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPINDELVAEV_BASE_URL", "")  # restored (unset) after the test
    monkeypatch.delenv("SPINDELVAEV_BASE_URL")
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: started.update(kwargs))
    monkeypatch.setattr(addresses, "lan_address", lambda: "192.168.1.20")
    get_settings.cache_clear()
    yield started
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("options", "base_url"),
    [
        (["--port", "8731"], "http://127.0.0.1:8731"),
        (["--host", "0.0.0.0", "--port", "8731"], "http://192.168.1.20:8731"),
        (["--host", "192.168.1.20"], "http://192.168.1.20:8000"),
    ],
)
def test_serve_sets_the_default_base_url_from_host_and_port(
    no_base_url: dict[str, Any], options: list[str], base_url: str
) -> None:
    result = runner.invoke(cli, ["serve", *options])
    assert result.exit_code == 0, result.output
    assert os.environ["SPINDELVAEV_BASE_URL"] == base_url
    assert f"Links og QR-koder peger på {base_url}/" in result.output
    assert no_base_url["port"] == (8731 if "--port" in options else 8000)
    assert ("Telefoner kan ikke nå" in result.output) is base_url.startswith("http://127.")


def test_serve_keeps_a_base_url_that_is_set(
    no_base_url: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPINDELVAEV_BASE_URL", "https://spindelvaev.kommune.dk")
    result = runner.invoke(cli, ["serve", "--port", "8731"])
    assert "Links og QR-koder peger på https://spindelvaev.kommune.dk/" in result.output
    assert os.environ["SPINDELVAEV_BASE_URL"] == "https://spindelvaev.kommune.dk"
