"""Fixtures: each test run gets its own databases, built by running the migrations.

Tests that use `engine` (or anything built on it) run once on SQLite and once on PostgreSQL. The
PostgreSQL server is taken from SPINDELVAEV_TEST_POSTGRES_URL (default: the local one); when it is
unreachable those tests are skipped with the reason, except under CI=true, where they fail.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from app.config import Settings, get_settings
from app.core import passwords
from app.db.engine import make_engine
from app.main import create_app
from app.themes import Catalogue, default_catalogue_path, load_catalogue
from tests.support import fresh_database

POSTGRES_URL = os.environ.get(
    "SPINDELVAEV_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI") == "true"
TEST_SECRET = SecretStr("test-secret-" + "x" * 40)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2id at its lowest cost for the passwords the tests hash and check.

    The production cost (64 MiB, 3 passes, 4 lanes) takes from 60 ms to over a second per hash on
    a shared 2-core machine, and the tests log in hundreds of times. The algorithm and every path
    through it stay the same; test_accounts checks the cost a running service uses.
    """
    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    passwords._hasher = production


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL not reachable ({reason}); set SPINDELVAEV_TEST_POSTGRES_URL")


def _require_postgres() -> None:
    """Skip the PostgreSQL run (fail it under CI=true) when the server does not answer."""
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    try:
        with admin.connect():
            pass
    except OperationalError as error:
        _unavailable(str(error).splitlines()[0])
    finally:
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh database migrated to head, for this test run only."""
    postgres = None
    if request.param == "postgresql":
        _require_postgres()
        postgres = POSTGRES_URL
    with fresh_database(tmp_path_factory.mktemp(request.param), postgres, purpose="test") as url:
        yield url


@pytest.fixture(scope="session")
def shared_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(shared_engine: Engine) -> Iterator[Engine]:
    """The test database's engine; every table is emptied after the test."""
    yield shared_engine
    with shared_engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(default_catalogue_path())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        base_url="http://testserver",
        # The tests of k alone; those of the participation threshold set it themselves.
        min_participation=0,
    )


def _settings_key(settings: Settings, engine: Engine) -> str:
    """What an app is built from: its settings but the data folder (secrets too), its engine."""
    values = settings.model_dump(exclude={"data_dir"})
    shown = {
        name: value.get_secret_value() if isinstance(value, SecretStr) else value
        for name, value in values.items()
    }
    return f"{id(engine)}:{sorted(shown.items())!r}"


@pytest.fixture(scope="session")
def _built_apps() -> dict[str, FastAPI]:
    return {}


@pytest.fixture
def app(settings: Settings, engine: Engine, _built_apps: dict[str, FastAPI]) -> Iterator[FastAPI]:
    """The application on the test's settings, reused by tests whose settings are the same.

    FastAPI builds a route's dependencies on an app's first request that passes it, which cost
    60-100 ms per test when every test built its own app. An app keeps no state of its own (it all
    lives in the database, which `engine` empties), and the settings are read from app.state per
    request: the test's own object is put there, so a test that changes them changes only itself.
    Middleware options are taken when the app is built, from settings equal to the test's. A test's
    dependency overrides end with it, and an app a test added routes to is not reused.
    """
    key = _settings_key(settings, engine)
    if key not in _built_apps:
        _built_apps[key] = create_app(settings=settings, engine=engine)
    built = _built_apps[key]
    built.state.settings = settings
    routes = list(built.router.routes)
    yield built
    built.dependency_overrides.clear()
    if built.router.routes != routes:
        del _built_apps[key]


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, engine: Engine
) -> Iterator[Path]:
    """The CLI pointed at the test database and a data folder `var` in tmp_path (yielded)."""
    monkeypatch.setenv("SPINDELVAEV_DATABASE_URL", database_url)
    monkeypatch.setenv("SPINDELVAEV_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SPINDELVAEV_MIN_PARTICIPATION", "0")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


AppMaker = Callable[..., FastAPI]


@pytest.fixture
def app_with(tmp_path: Path, database_url: str, engine: Engine) -> AppMaker:
    """Build the app on the test database with some settings changed: `app_with(smtp_port=25)`."""

    def make(**changes: Any) -> FastAPI:
        settings = Settings(
            database_url=database_url,
            data_dir=tmp_path / "var",
            secret_key=TEST_SECRET,
            base_url="http://testserver",
            **changes,
        )
        return create_app(settings=settings, engine=engine)

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make test` (xdist, --dist loadgroup) tests are handed to the workers one by one, for
    an even load; a module with a module-scoped fixture (a live site, a built wheel) keeps its tests
    on one worker, so that the fixture is built once.

    A module that takes minutes (the accessibility matrix) sets `WORKER_GROUPS = N`: its tests are
    dealt into N groups, which may run on different workers, each building the fixture once.
    """
    dealt: dict[str, int] = {}
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        definitions = info.name2fixturedefs.values() if info else []
        if any(chain[-1].scope == "module" for chain in definitions):
            module = item.nodeid.split("::")[0]
            groups = getattr(item.module, "WORKER_GROUPS", 1)
            number = dealt.get(module, 0)
            dealt[module] = number + 1
            group = module if groups == 1 else f"{module}#{number % groups}"
            item.add_marker(pytest.mark.xdist_group(group))
