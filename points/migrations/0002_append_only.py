"""Points never change by edit: the database refuses an UPDATE of an entry's points,
household, item, version or date, and any DELETE of an entry (PostgreSQL; on SQLite, whose
test flush deletes, the model and queryset refuse deletes). Notices and redemptions are
append-only outright (UPDATE refused; DELETE too on PostgreSQL)."""

from django.db import migrations

APPEND_ONLY = ["points_pointsnotice", "points_redemption"]
FROZEN = "points_entry"
COLUMNS = ["points", "household_id", "item_id", "version_id", "occurred_on", "scheme_id", "reverses_id"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)
    changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)
    if vendor == "postgresql":
        for table in APPEND_ONLY:
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP; END; "
                "$$ LANGUAGE plpgsql",
                params=None,
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
                params=None,
            )
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {FROZEN}_frozen() RETURNS trigger AS $$ "
            "BEGIN IF TG_OP = 'DELETE' THEN "
            f"RAISE EXCEPTION '{FROZEN}: entries are never deleted'; END IF; "
            f"IF {changed} THEN "
            f"RAISE EXCEPTION '{FROZEN}: points never change by edit (reverse the entry)'; "
            "END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
            params=None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER {FROZEN}_frozen BEFORE UPDATE OR DELETE ON {FROZEN} "
            f"FOR EACH ROW EXECUTE FUNCTION {FROZEN}_frozen()",
            params=None,
        )
    elif vendor == "sqlite":
        for table in APPEND_ONLY:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END;",
                params=None,
            )
        schema_editor.execute(
            f"CREATE TRIGGER {FROZEN}_frozen BEFORE UPDATE ON {FROZEN} "
            f"WHEN {changed_sqlite} "
            f"BEGIN SELECT RAISE(ABORT, '{FROZEN}: points never change by edit'); END;",
            params=None,
        )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, suffix in [(t, "append_only") for t in APPEND_ONLY] + [(FROZEN, "frozen")]:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_{suffix}()")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
