"""Guards in the database itself, for paths that bypass the models and services.

- Signed-off minutes and closed decisions refuse UPDATE (and DELETE on PostgreSQL).
- Votes, duty progress updates and evidence are append-only: UPDATE is refused (and DELETE
  on PostgreSQL; SQLite's test flush is DELETE FROM, and the ORM refuses deletes anyway).
"""

from django.db import migrations

FROZEN_WHEN = {
    "alliances_minutes": "OLD.signed_off_at IS NOT NULL",
    "alliances_decision": "OLD.status = 'closed'",
}
APPEND_ONLY = ["alliances_vote", "alliances_dutyupdate", "alliances_dutyevidence"]


def _pg_forward():
    statements = []
    for table, when in FROZEN_WHEN.items():
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {table}_frozen() RETURNS trigger AS $$
            BEGIN
                IF {when} THEN
                    RAISE EXCEPTION '{table}: frozen row (% refused)', TG_OP;
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """,
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_frozen()",
        ]
    for table in APPEND_ONLY:
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ]
    return statements


def _pg_backward():
    statements = []
    for table in FROZEN_WHEN:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_frozen()",
        ]
    for table in APPEND_ONLY:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()",
        ]
    return statements


def _sqlite_forward():
    statements = [
        f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{table}: frozen row (UPDATE refused)'); END;"
        for table, when in FROZEN_WHEN.items()
    ]
    statements += [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END;"
        for table in APPEND_ONLY
    ]
    return statements


def _sqlite_backward():
    return [f"DROP TRIGGER IF EXISTS {t}_frozen" for t in FROZEN_WHEN] + [
        f"DROP TRIGGER IF EXISTS {t}_append_only" for t in APPEND_ONLY
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_forward, "sqlite": _sqlite_forward}.get(vendor, list)()
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_backward, "sqlite": _sqlite_backward}.get(vendor, list)()
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("alliances", "0002_meetings_and_duties")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
