"""export counts: a stored round's exported rows and left-out cells, per small-group rule

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:50:00

The tables fill as the export plans rounds (`app.db.export`), and `spindelvaev db upgrade` fills
them for every stored round under the settings' rule, so nothing needs copying here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_count",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("theme_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_export_count_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "rule", "theme_id", name=op.f("pk_export_count")),
    )
    op.create_table(
        "export_hidden",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("statement_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("group_label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_export_hidden_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_hidden")),
    )
    with op.batch_alter_table("export_hidden", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_hidden_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export_hidden", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_hidden_round_id"))
    op.drop_table("export_hidden")
    op.drop_table("export_count")
