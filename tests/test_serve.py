"""`spindelvaev serve --demo` (what `make run` runs) starts, seeds the demo and answers /healthz."""

import json
import os
import sys
import urllib.request
from pathlib import Path

from tests.support import free_port, serving


def test_serve_with_demo_starts_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SPINDELVAEV_DATA_DIR": str(tmp_path / "var"),
        "SPINDELVAEV_DATABASE_URL": "",
        "SPINDELVAEV_DEMO": "1",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--demo", "--port", str(port)]
    log = tmp_path / "serve.log"
    with (
        serving(command, port=port, env=env, log=log),
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply,
    ):
        assert "Spindelvæv" in reply.read().decode()
    output = log.read_text()
    assert "Demo-kommunen er oprettet" in output
    logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text())
    assert logins["admin"]["email"] in output
    assert (tmp_path / "var" / "spindelvaev.db").exists()
