"""`spindelvaev serve --demo` (what `make run` runs) starts, seeds the demo and answers /healthz."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.load import free_port

STARTUP_LIMIT_SECONDS = 60


def test_serve_with_demo_starts_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SPINDELVAEV_DATA_DIR": str(tmp_path / "var"),
        "SPINDELVAEV_DATABASE_URL": "",
        "SPINDELVAEV_DEMO": "1",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--demo", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                    status = reply.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200, "the service did not answer /healthz"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
            assert "Spindelvæv" in reply.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "Demo-kommunen er oprettet" in output
    logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text())
    assert logins["admin"]["email"] in output
    assert (tmp_path / "var" / "spindelvaev.db").exists()
