"""Crash safety: a server killed with SIGKILL while taking answers loses no acknowledged submission.

Phones submit to a real `spindelvaev serve` process on a SQLite file; the process is killed in the
middle of that and started again on the same file. Every phone that got its 303 is in the
database with all its answers, and the database passes SQLite's own integrity check.
"""

import http.client
import os
import random
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlencode

from app.db.responses import hash_respondent_key
from app.migrate import upgrade_to_head
from tests.support import free_port, open_round, serving

THREADS = 4
KILL_AFTER_ACKNOWLEDGED = 20
MORE_AFTER_RESTART = 8
DEADLINE_SECONDS = 90  # bounds every loop; the test normally takes a few seconds
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_STATEMENT = re.compile(r'<textarea name="c-([^"]+)"')


@contextmanager
def _serving(database: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`spindelvaev serve` (one process, so its pid is the server's) until it answers /healthz."""
    env = {
        **os.environ,
        "SPINDELVAEV_DATABASE_URL": f"sqlite:///{database}",
        "SPINDELVAEV_DATA_DIR": str(database.parent / "var"),
        "SPINDELVAEV_SECRET_KEY": "crash-test-" + "k" * 40,
        "SPINDELVAEV_LOG_LEVEL": "WARNING",
        "SPINDELVAEV_DEMO": "0",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    log = database.parent / f"server-{secrets.token_hex(3)}.log"
    with serving(command, port=port, env=env, log=log) as server:
        yield server
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")


class Phones:
    """Client threads, each submitting new phones' full answer sets until told to stop."""

    def __init__(self, port: int, code: str) -> None:
        self.port = port
        self.code = code
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(THREADS)]

    def _submit_one(self) -> None:
        with closing(http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)) as phone:
            phone.request("GET", f"/r/{self.code}?tema=alle")
            page = phone.getresponse()
            html = page.read().decode()
            cookie = (page.getheader("set-cookie") or "").split(";")[0]
            token = _TOKEN.search(html)
            if page.status != 200 or not cookie or not token:
                with self.lock:
                    self.failures.append(f"scoring page {page.status}")
                return
            fields = [("csrf_token", token.group(1))]
            for number, statement_id in enumerate(_STATEMENT.findall(html)):
                fields += [(f"s-{statement_id}", str(number % 10 + 1)), (f"c-{statement_id}", "")]
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            phone.request("POST", f"/r/{self.code}", body=urlencode(fields), headers=headers)
            reply = phone.getresponse()
            reply.read()
        with self.lock:
            if reply.status == 303:
                self.acknowledged.append(cookie.partition("=")[2])
            else:
                self.failures.append(f"status {reply.status}")

    def _run(self) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                self._submit_one()
            except (OSError, http.client.HTTPException) as error:
                # The server is down (killed, or not up again yet): this phone's answer was not
                # acknowledged, so it may be lost. The next phone tries shortly.
                with self.lock:
                    self.failures.append(repr(error))
                time.sleep(0.1)

    def wait_for(self, count: int) -> None:
        """Until `count` submissions in all were acknowledged (or the deadline passes)."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            if not any(thread.is_alive() for thread in self.threads):
                break
            time.sleep(0.02)


def _stored(database: Path, statements: int) -> tuple[set[str], int, str]:
    """Key hashes of the stored responses, how many lack answers, and the integrity check."""
    with closing(sqlite3.connect(database)) as connection:
        hashes = {row[0] for row in connection.execute("SELECT respondent_key_hash FROM response")}
        incomplete = connection.execute(
            "SELECT count(*) FROM response WHERE "
            "(SELECT count(*) FROM score WHERE score.response_id = response.id) != ?",
            (statements,),
        ).fetchone()[0]
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
    return hashes, incomplete, " ".join(str(row[0]) for row in integrity)


def test_answers_acknowledged_before_a_sigkill_are_all_stored_and_the_database_is_sound(
    tmp_path: Path,
) -> None:
    database = tmp_path / f"crash-{secrets.token_hex(4)}.db"
    upgrade_to_head(f"sqlite:///{database}")
    code, _, statements = open_round(f"sqlite:///{database}")
    port = free_port()
    phones = Phones(port, code)
    try:
        _kill_restart_and_check(database, port, statements, phones)
    finally:
        phones.stop.set()


def _kill_restart_and_check(database: Path, port: int, statements: int, phones: Phones) -> None:
    with _serving(database, port) as server:
        for thread in phones.threads:
            thread.start()
        phones.wait_for(KILL_AFTER_ACKNOWLEDGED)
        time.sleep(random.uniform(0, 0.05))  # lands anywhere in a request, often mid-write
        os.kill(server.pid, signal.SIGKILL)  # while the client threads are still submitting
        server.wait(timeout=30)
        with phones.lock:
            before_kill = set(phones.acknowledged)
    assert server.returncode == -signal.SIGKILL
    assert len(before_kill) >= KILL_AFTER_ACKNOWLEDGED, phones.failures[-5:]
    stored, incomplete, integrity = _stored(database, statements)
    lost = {key for key in before_kill if hash_respondent_key(key) not in stored}
    assert (len(lost), incomplete, integrity) == (0, 0, "ok")

    # Started again on the same file, the service takes answers again; the threads never stopped.
    with _serving(database, port):
        phones.wait_for(len(before_kill) + MORE_AFTER_RESTART)
        phones.stop.set()
        for thread in phones.threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in phones.threads)
    everything = set(phones.acknowledged)
    assert len(everything) >= len(before_kill) + MORE_AFTER_RESTART, phones.failures[-5:]
    stored, incomplete, integrity = _stored(database, statements)
    lost = {key for key in everything if hash_respondent_key(key) not in stored}
    assert (len(lost), incomplete, integrity) == (0, 0, "ok")
