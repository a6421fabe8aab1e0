"""Backup and restore: SQLite through its online backup API, PostgreSQL through pg_dump."""

import os
import sqlite3
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from app.db.demo import database_is_empty
from app.db.engine import make_engine
from app.errors import Conflict, InvalidInput


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def integrity(path: Path) -> str:
    """SQLite's own `PRAGMA integrity_check` of a file: "ok", or what it found."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    connection.close()
    return "; ".join(str(row[0]) for row in rows)


def backup_sqlite(*, database: Path, target: Path) -> None:
    """A consistent copy of the live database, taken while the service keeps writing (0600)."""
    if target.exists():
        raise Conflict(f"{target} findes allerede; vælg et nyt filnavn.")
    partial = target.with_name(f".{target.name}.delvis")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(descriptor)
    source = sqlite3.connect(database, timeout=10)
    copy = sqlite3.connect(partial)
    try:
        # One step: under WAL it reads one committed snapshot while writers carry on (in steps,
        # every write from another connection would restart the copy, and a busy round never ends).
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)


def _holds_data(url: str) -> bool:
    engine = make_engine(url)
    try:
        if "alembic_version" not in inspect(engine).get_table_names():
            return False
        with Session(engine) as session:
            return not database_is_empty(session)
    finally:
        engine.dispose()


def restore_sqlite(*, backup: Path, url: str, force: bool) -> None:
    """Replace the database at the SQLite URL by the backup; a database with data needs force."""
    database = sqlite_file(url)
    assert database is not None
    if not backup.is_file():
        raise InvalidInput(f"{backup} findes ikke.")
    try:
        checked = integrity(backup)
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        connection.close()
    except sqlite3.DatabaseError as error:
        raise InvalidInput(f"{backup} er ikke en SQLite-database ({error}).") from error
    if checked != "ok":
        raise InvalidInput(f"{backup} er beskadiget: {checked}")
    if "alembic_version" not in tables:
        raise InvalidInput(f"{backup} er ikke en sikkerhedskopi af Spindelvæv.")
    if database.exists() and _holds_data(url) and not force:
        raise Conflict(f"Databasen {database} har allerede data. Brug --force for at erstatte den.")
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=10)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    database.chmod(0o600)


def _libpq_url(url: str) -> str:
    # pg_dump takes the libpq form; the password stays out of the shell history (PGPASSWORD).
    parsed = make_url(url)
    bare = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False)


def pg_dump_command(url: str, target: Path) -> str:
    """The pg_dump command that backs up the PostgreSQL database at the URL."""
    return f"pg_dump --format=custom --file='{target}' '{_libpq_url(url)}'"


def pg_restore_command(url: str, backup: Path) -> str:
    """The pg_restore command that puts a pg_dump backup back into the database at the URL."""
    return f"pg_restore --clean --if-exists --no-owner --dbname='{_libpq_url(url)}' '{backup}'"
