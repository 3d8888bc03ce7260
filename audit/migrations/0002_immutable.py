"""Refuse UPDATE and DELETE of change-log rows inside the database itself.

The model and queryset already refuse edits; the trigger also stops raw SQL, the shell and
any future code path. TRUNCATE (what the test runner's flush uses on PostgreSQL) is left
to the database owner; production revokes it from the application role (README). SQLite
gets an UPDATE trigger; its DELETE stays open because SQLite's flush is DELETE FROM, and
the ORM refuses deletes on every path the application has.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_objectchange_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_objectchange is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_objectchange_no_update BEFORE UPDATE OR DELETE ON audit_objectchange
    FOR EACH ROW EXECUTE FUNCTION audit_objectchange_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_objectchange_no_update ON audit_objectchange;
DROP FUNCTION IF EXISTS audit_objectchange_immutable();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER audit_objectchange_no_update BEFORE UPDATE ON audit_objectchange "
    "BEGIN SELECT RAISE(ABORT, 'audit_objectchange is append-only (UPDATE refused)'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_objectchange_no_update;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
