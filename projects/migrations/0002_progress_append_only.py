"""Progress reports are append-only in the database too (as docs/architecture.md says), and
deleting a user no longer rewrites the reports they filed (author: PROTECT, not SET_NULL).

The trigger refuses UPDATE (and DELETE on PostgreSQL; SQLite's test flush is DELETE FROM,
and the model and queryset refuse deletes anyway), as alliances 0003 and audit do.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "projects_progressreport"


def _pg_forward():
    return [
        f"""
        CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{TABLE} is append-only (% refused)', TG_OP;
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
    ]


def _pg_backward():
    return [
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
    ]


def _sqlite_forward():
    return [
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only (UPDATE refused)'); END;"
    ]


def _sqlite_backward():
    return [f"DROP TRIGGER IF EXISTS {TABLE}_append_only"]


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
    dependencies = [
        ("projects", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="progressreport",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="author",
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
