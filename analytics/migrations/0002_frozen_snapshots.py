"""Frozen ranking snapshots in the database itself, for paths that bypass the model.

A trigger refuses UPDATE and DELETE of snapshots and entries on PostgreSQL, UPDATE on
SQLite (whose test flush is DELETE FROM; the ORM refuses deletes), as for public notices.
"""

from django.db import migrations

TABLES = ["analytics_rankingsnapshot", "analytics_rankingentry"]

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION analytics_ranking_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is frozen (% refused)', TG_TABLE_NAME, TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_ranking_frozen()"
        for table in TABLES
    ),
]
PG_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS analytics_ranking_frozen()",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is frozen (UPDATE refused)'); END;"
    for table in TABLES
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_frozen" for table in TABLES]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_rankings")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
