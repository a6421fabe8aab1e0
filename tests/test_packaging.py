"""The Dockerfile, Makefile and CI script keep their essentials, and a built wheel works alone."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support import free_port, serving

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_runs_serve_as_a_non_root_user_with_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    user = re.search(r"^USER (\S+)", dockerfile, re.M)
    assert user and user.group(1) not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*", dockerfile, re.M) and "/healthz" in dockerfile
    assert re.search(r"^EXPOSE 8000", dockerfile, re.M)
    assert 'ENTRYPOINT ["spindelvaev"]' in dockerfile
    assert re.search(
        r'^CMD \["serve", "--host", "0\.0\.0\.0", "--port", "8000"\]', dockerfile, re.M
    )
    assert re.search(r"^VOLUME", dockerfile, re.M) and "SPINDELVAEV_DATA_DIR=/data" in dockerfile


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


# --- the built wheel, installed outside the checkout ------------------------------------------

MIN_SETUPTOOLS = (70, 1)  # builds wheels without the separate `wheel` package
PACKAGE_DATA = (
    "templates/base.html",
    "static/style.css",
    "data/statements.yaml",
    "alembic.ini",
    "migrations/env.py",
    "migrations/script.py.mako",
)


def _run(command: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run the command to its end; its output, or a failure that quotes it."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _build_wheel(folder: Path) -> Path:
    """The wheel of a copy of the checkout, built with the dev venv's setuptools (no network)."""
    setuptools = tuple(int(part) for part in version("setuptools").split(".")[:2])
    if setuptools < MIN_SETUPTOOLS:
        pytest.fail(f"setuptools {version('setuptools')} is too old here; run `make install`")
    # A copy, so that the build leaves no build/ or egg-info in the checkout, and no file left in
    # an old build/ slips into the wheel. symlinks=True keeps app/data/statements.yaml a link.
    source = folder / "source"
    for name in ("app", "data"):
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    wheel_dir = folder / "dist"
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheel_dir, source],
        cwd=folder,
    )
    (wheel,) = wheel_dir.glob("spindelvaev-*.whl")
    return wheel


def _installed_env(folder: Path) -> dict[str, str]:
    """The environment for the installed package: none of this test run's paths or settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "PYTHONPATH" and not name.startswith("SPINDELVAEV_")
    }
    return env | {
        "SPINDELVAEV_DATABASE_URL": f"sqlite:///{folder / 'spindelvaev.db'}",
        "SPINDELVAEV_DATA_DIR": str(folder / "var"),
        "SPINDELVAEV_DEMO": "0",
        "SPINDELVAEV_LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a new venv outside the checkout; that venv's bin folder.

    The venv sees the dev venv's third-party packages through a .pth file, so nothing is
    downloaded. A .pth line only adds a folder to sys.path: the .pth files in that folder (the
    editable install's finder, which maps `app` to the checkout) are not run.
    """
    folder = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(folder)
    venv = folder / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=folder)
    python = venv / "bin" / "python"
    site_packages = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=folder
    ).strip()
    dev_packages = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    Path(site_packages, "dev-packages.pth").write_text("".join(f"{p}\n" for p in dev_packages))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]
    _run([*pip, "install", "--no-deps", "--no-index", wheel], cwd=folder)
    return venv / "bin"


def test_the_installed_package_is_the_wheel_and_holds_its_package_data(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import json, app\n"
        "from importlib.resources import files\n"
        "from app.themes import default_catalogue_path\n"
        "print(json.dumps({'app': app.__file__, 'catalogue': str(default_catalogue_path()),\n"
        f"    'missing': [n for n in {PACKAGE_DATA!r} if not (files('app') / n).is_file()]}}))\n"
    )
    found = json.loads(
        _run([installed / "python", "-c", probe], cwd=tmp_path, env=_installed_env(tmp_path))
    )
    venv = installed.parent
    assert Path(found["app"]).is_relative_to(venv), found["app"]
    assert Path(found["catalogue"]).is_relative_to(venv), found["catalogue"]
    assert found["missing"] == []


def test_the_installed_command_migrates_and_serves_a_scoring_page_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    env = _installed_env(tmp_path)
    command = installed / "spindelvaev"
    assert "opdateret" in _run([command, "db", "upgrade"], cwd=tmp_path, env=env)
    demo = json.loads(_run([command, "demo", "--json"], cwd=tmp_path, env=env))
    join_url = next(
        round_["join_url"]
        for team in demo["teams"]
        for round_ in team["rounds"]
        if round_["status"] == "open"
    )
    port = free_port()
    serve = [str(command), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with serving(serve, port=port, env=env, log=tmp_path / "serve.log", cwd=tmp_path):
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as reply:
            assert reply.status == 200
        with urllib.request.urlopen(f"{base}{join_url}", timeout=10) as reply:
            page = reply.read().decode()
            assert reply.status == 200
        with urllib.request.urlopen(f"{base}/static/scoring.css", timeout=10) as reply:
            assert reply.status == 200
    assert 'name="csrf_token"' in page
    assert len(re.findall(r'<textarea name="c-', page)) >= 3
