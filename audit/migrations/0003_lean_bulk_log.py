"""Lighter change-log rows for bulk imports: no FK check, no redundant index on content_type.

SQLite applies AlterField by rebuilding the table, which drops its triggers, so the
append-only UPDATE trigger of 0002 is created again afterwards.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS audit_objectchange_no_update BEFORE UPDATE ON audit_objectchange "
    "BEGIN SELECT RAISE(ABORT, 'audit_objectchange is append-only (UPDATE refused)'); END;"
)


def recreate_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_immutable"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="objectchange",
            name="content_type",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.RunPython(recreate_sqlite_trigger, migrations.RunPython.noop),
    ]
