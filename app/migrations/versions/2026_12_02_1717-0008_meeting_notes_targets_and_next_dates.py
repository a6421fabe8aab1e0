"""meeting: step 2 notes, why priorities moved, targets per priority, next dates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:43:33.937762
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discussion_note",
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("statement_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_discussion_note_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_note")),
        sa.UniqueConstraint(
            "round_id", "theme_id", "statement_id", name=op.f("uq_discussion_note_round_id")
        ),
    )
    op.create_table(
        "priority_review",
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priority.id"],
            name=op.f("fk_priority_review_priority_id_priority"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_priority_review_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_review")),
        sa.UniqueConstraint("round_id", "priority_id", name=op.f("uq_priority_review_round_id")),
    )
    with op.batch_alter_table("priority_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_priority_review_priority_id"), ["priority_id"], unique=False
        )
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.Float(), nullable=True))

    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_meeting_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_measurement_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("next_measurement_on")
        batch_op.drop_column("next_meeting_on")

    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.drop_column("target")

    op.drop_table("priority_review")
    op.drop_table("discussion_note")
