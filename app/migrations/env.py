"""Alembic environment: runs migrations on the connection or URL the caller gives."""

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from app.db import models  # noqa: F401  (registers the tables on the metadata)
from app.db.engine import make_engine

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from app.config import get_settings

        url = get_settings().effective_database_url
    engine = make_engine(url)
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()
