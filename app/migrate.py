"""Applying the Alembic migrations from code (the CLI, `serve` and the tests use this)."""

from importlib.resources import files

from alembic import command
from alembic.config import Config


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the package's migrations on the given database URL."""
    # alembic.ini sits beside app/migrations and names it relative to itself (%(here)s).
    config = Config(str(files("app") / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    """Bring the database at the URL up to the newest migration."""
    command.upgrade(alembic_config(url), "head")
