"""anonymity: random response ids, days only, team size and first showing of a round

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_size", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("results_shown_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    # Earlier rounds take their team's size now; a closed round may have been seen already, so
    # it counts as shown (final) from its closing.
    op.execute(
        "UPDATE round SET team_size = "
        "(SELECT expected_size FROM team WHERE team.id = round.team_id)"
    )
    op.execute(
        "UPDATE round SET results_shown_at = COALESCE(closed_at, created_at) "
        "WHERE status = 'closed'"
    )
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.alter_column("team_size", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("updated_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite has no DATE type: its date() gives the ISO day that SQLAlchemy reads back.
        op.execute(
            "UPDATE response SET created_on = date(created_at), updated_on = date(updated_at)"
        )
    else:
        op.execute(
            "UPDATE response SET created_on = CAST(created_at AS DATE), "
            "updated_on = CAST(updated_at AS DATE)"
        )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.alter_column("created_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("updated_on", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("created_at")
        batch_op.drop_column("updated_at")
        batch_op.alter_column(
            "id", existing_type=sa.Integer(), type_=sa.BigInteger(), autoincrement=False
        )
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.alter_column("response_id", existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade() -> None:
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.alter_column("response_id", existing_type=sa.BigInteger(), type_=sa.Integer())
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.BigInteger(), type_=sa.Integer())
        batch_op.add_column(sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()))
        batch_op.add_column(sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()))
    op.execute("UPDATE response SET created_at = created_on, updated_at = updated_on")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("updated_on")
        batch_op.drop_column("created_on")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("results_shown_at")
        batch_op.drop_column("team_size")
