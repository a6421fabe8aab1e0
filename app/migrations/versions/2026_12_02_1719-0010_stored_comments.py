"""stored comments: a closed round's comments copied beside its stored counts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statement_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_statement_comment_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_comment")),
    )
    with op.batch_alter_table("statement_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_comment_round_id"), ["round_id"], unique=False
        )
    # The rounds whose counts are stored get their comments too, stripped as at close.
    connection = op.get_bind()
    found = connection.execute(
        sa.text(
            "SELECT p.round_id, s.statement_id, s.comment "
            "FROM score AS s JOIN response AS p ON p.id = s.response_id "
            "WHERE p.round_id IN (SELECT round_id FROM round_aggregate) "
            "AND s.comment IS NOT NULL"
        )
    ).all()
    rows = [
        {"round_id": round_id, "statement_id": statement_id, "text": comment.strip()}
        for round_id, statement_id, comment in found
        if comment.strip()
    ]
    if rows:
        table = sa.table(
            "statement_comment",
            sa.column("round_id", sa.Integer()),
            sa.column("statement_id", sa.String()),
            sa.column("text", sa.String()),
        )
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("statement_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_comment_round_id"))
    op.drop_table("statement_comment")
