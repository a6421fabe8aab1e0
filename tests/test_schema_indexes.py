"""Every foreign key is indexed in the migrated schema, so lookups and ON DELETE stay flat.

The index may be the key's own, or a primary key, unique constraint or index that starts with
the key's columns (`response.round_id` leads the unique (round_id, respondent_key_hash)).
"""

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

# Foreign keys looked up by the pages (listed so a new one must be thought about, and indexed).
EXPECTED = {
    ("api_token", ("user_id",)),
    ("audit_entry", ("actor_id",)),
    ("audit_entry", ("subject_user_id",)),
    ("audit_entry", ("team_id",)),
    ("login_session", ("user_id",)),
    ("plan_action", ("priority_id",)),
    ("plan_action", ("round_id",)),
    ("priority", ("round_id",)),
    ("response", ("round_id",)),
    ("round", ("team_id",)),
    ("round_aggregate", ("round_id",)),
    ("round_statement", ("round_id",)),
    ("score", ("response_id",)),
    ("statement_aggregate", ("round_id",)),
    ("team", ("unit_id",)),
    ("team_facilitator", ("team_id",)),
    ("team_facilitator", ("user_id",)),
}


def _leading_columns(engine: Engine, table: str) -> list[tuple[str, ...]]:
    inspector = inspect(engine)
    keys = [tuple(inspector.get_pk_constraint(table)["constrained_columns"])]
    keys += [tuple(index["column_names"]) for index in inspector.get_indexes(table)]  # type: ignore[arg-type]
    keys += [tuple(unique["column_names"]) for unique in inspector.get_unique_constraints(table)]
    return keys


def test_every_foreign_key_of_the_migrated_schema_has_an_index_that_leads_with_it(
    engine: Engine,
) -> None:
    inspector = inspect(engine)
    foreign_keys = {
        (table, tuple(key["constrained_columns"]))
        for table in inspector.get_table_names()
        for key in inspector.get_foreign_keys(table)
    }
    assert foreign_keys >= EXPECTED
    unindexed = sorted(
        (table, columns)
        for table, columns in foreign_keys
        if not any(key[: len(columns)] == columns for key in _leading_columns(engine, table))
    )
    assert unindexed == []
