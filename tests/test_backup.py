"""`spindelvaev backup` while phones submit, `spindelvaev restore` into a new data folder."""

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import get_settings
from app.migrate import upgrade_to_head
from app.themes import default_catalogue_path, load_catalogue
from tests.support import free_port, open_round, serving

runner = CliRunner()
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STATEMENT = re.compile(r'<textarea name="c-([^"]+)"')
PROFESSIONS = [p.id for p in load_catalogue(default_catalogue_path()).professions]


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "SPINDELVAEV_DATA_DIR": str(data_dir), "SPINDELVAEV_DATABASE_URL": ""}


def _spindelvaev(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app.cli", *args]
    return subprocess.run(command, env=_env(data_dir), capture_output=True, text=True, timeout=120)


class Phones(threading.Thread):
    """Phones answering the round one after another, over HTTP, until told to stop."""

    def __init__(self, port: int, code: str, round_id: int) -> None:
        super().__init__(daemon=True)
        self.base = f"http://127.0.0.1:{port}"
        self.code, self.cookie = code, f"sv_r{round_id}"
        self.acknowledged: list[str] = []  # respondent keys of the submissions answered /tak
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._answer(len(self.acknowledged))
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error

    def _answer(self, index: int) -> None:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.base}/r/{self.code}?tema=alle", timeout=30) as reply:
            page = reply.read().decode()
        token = TOKEN.search(page)
        assert token is not None
        fields = [("csrf_token", token.group(1)), ("profession", PROFESSIONS[index % 3])]
        for statement_id in STATEMENT.findall(page):
            fields += [(f"s-{statement_id}", str(index % 10 + 1)), (f"c-{statement_id}", "")]
        body = urlencode(fields).encode()
        with opener.open(f"{self.base}/r/{self.code}", data=body, timeout=30) as reply:
            landed = reply.url
        if landed.endswith("/tak"):
            key = next(c.value for c in jar if c.name == self.cookie)
            assert key is not None
            self.acknowledged.append(key)


def _stored_key_hashes(database: Path, round_id: int, statements: int) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT r.respondent_key_hash FROM response r JOIN score s ON s.response_id = r.id"
            " WHERE r.round_id = ? GROUP BY r.id HAVING count(s.id) = ?",
            (round_id, statements),
        ).fetchall()
    connection.close()
    return {row[0] for row in rows}


def test_a_backup_taken_while_phones_submit_restores_every_acknowledged_answer(
    tmp_path: Path,
) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    url = f"sqlite:///{live / 'spindelvaev.db'}"
    live.mkdir()
    upgrade_to_head(url)
    code, round_id, statements = open_round(url)
    backup = tmp_path / "kopi.db"
    port = free_port()
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    with serving(serve, port=port, env=_env(live), log=tmp_path / "live.log"):
        phones = Phones(port, code, round_id)
        phones.start()
        while len(phones.acknowledged) < 5 and phones.is_alive():
            phones.join(timeout=0.05)
        before = list(phones.acknowledged)
        done = _spindelvaev("backup", str(backup), data_dir=live)
        during = len(phones.acknowledged) - len(before)
        while len(phones.acknowledged) < len(before) + during + 3 and phones.is_alive():
            phones.join(timeout=0.05)
        phones.stop.set()
        phones.join(timeout=60)
    assert phones.error is None, phones.error
    assert done.returncode == 0, done.stderr
    assert f"Sikkerhedskopien er skrevet til {backup} (integritetstjek: ok)." in done.stdout
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    restore = _spindelvaev("restore", str(backup), data_dir=restored)
    assert restore.returncode == 0, restore.stderr
    database = restored / "spindelvaev.db"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()
    in_copy = _stored_key_hashes(database, round_id, statements)
    acknowledged = {hashlib.sha256(key.encode()).hexdigest() for key in before}
    assert acknowledged <= in_copy, "an acknowledged submission is missing from the backup"
    # The live database kept taking answers after the copy; the copy holds no more than it.
    assert len(in_copy) <= len(phones.acknowledged)

    port = free_port()
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    with (
        serving(serve, port=port, env=_env(restored), log=tmp_path / "restored.log"),
        urllib.request.urlopen(f"http://127.0.0.1:{port}/r/{code}?tema=alle", timeout=10) as reply,
    ):
        assert reply.status == 200
        assert len(STATEMENT.findall(reply.read().decode())) == statements


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    for folder, label in ((source, "Kopien"), (target, "Nuværende")):
        folder.mkdir()
        url = f"sqlite:///{folder / 'spindelvaev.db'}"
        upgrade_to_head(url)
        with sqlite3.connect(folder / "spindelvaev.db") as connection:
            connection.execute(
                "INSERT INTO unit (name, created_at) VALUES (?, CURRENT_TIMESTAMP)", (label,)
            )
        connection.close()
    assert _spindelvaev("backup", str(tmp_path / "kopi.db"), data_dir=source).returncode == 0

    refused = _spindelvaev("restore", str(tmp_path / "kopi.db"), data_dir=target)
    assert refused.returncode == 1
    assert "har allerede data. Brug --force for at erstatte den." in refused.stderr
    units = "SELECT name FROM unit"
    with sqlite3.connect(target / "spindelvaev.db") as connection:
        assert connection.execute(units).fetchall() == [("Nuværende",)]
    connection.close()

    forced = _spindelvaev("restore", "--force", str(tmp_path / "kopi.db"), data_dir=target)
    assert forced.returncode == 0, forced.stderr
    with sqlite3.connect(target / "spindelvaev.db") as connection:
        assert connection.execute(units).fetchall() == [("Kopien",)]
    connection.close()


def test_backup_refuses_to_overwrite_a_file_and_restore_refuses_a_file_that_is_no_backup(
    tmp_path: Path,
) -> None:
    upgrade_to_head(f"sqlite:///{tmp_path / 'var' / 'spindelvaev.db'}")
    existing = tmp_path / "findes.db"
    existing.write_text("vigtigt")
    refused = _spindelvaev("backup", str(existing), data_dir=tmp_path / "var")
    assert refused.returncode == 1 and "findes allerede" in refused.stderr
    assert existing.read_text() == "vigtigt"
    not_a_backup = _spindelvaev("restore", str(existing), data_dir=tmp_path / "ny")
    assert not_a_backup.returncode == 1 and "er ikke en SQLite-database" in not_a_backup.stderr
    assert not (tmp_path / "ny" / "spindelvaev.db").exists()


def test_on_postgresql_backup_and_restore_print_the_commands_without_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SPINDELVAEV_DATABASE_URL", "postgresql://sv:hemmelig@db.example:5432/sv")
    get_settings.cache_clear()
    try:
        dump = runner.invoke(cli, ["backup", str(tmp_path / "sv.dump")])
        back = runner.invoke(cli, ["restore", str(tmp_path / "sv.dump")])
    finally:
        get_settings.cache_clear()
    assert dump.exit_code == 0 and back.exit_code == 0
    assert (
        f"pg_dump --format=custom --file='{tmp_path / 'sv.dump'}' "
        "'postgresql://sv@db.example:5432/sv'" in dump.output
    )
    assert "pg_restore --clean --if-exists --no-owner" in back.output
    assert "hemmelig" not in dump.output + back.output
