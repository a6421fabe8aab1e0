"""deleted rounds: what the retention rule leaves in a team's history

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("held_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("after_years", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_deleted_round_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_round")),
    )
    with op.batch_alter_table("deleted_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deleted_round_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deleted_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deleted_round_team_id"))

    op.drop_table("deleted_round")
