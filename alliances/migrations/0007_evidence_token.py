"""Evidence files are addressed by a random token, not their sequential id: existing rows get
one each, then the column is made unique and required.

Evidence is append-only (0003's trigger refuses UPDATE): the trigger is held off while the
tokens are written, in this one migration only. On SQLite, making the column required
rebuilds the table, which drops the trigger: it is created again at the end.
"""

import uuid

from django.db import migrations, models

TABLE = "alliances_dutyevidence"
SQLITE_TRIGGER = (
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only (UPDATE refused)'); END;"
)


def _execute(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def hold_guard(apps, schema_editor):
    _execute(
        schema_editor,
        {
            "postgresql": [f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only"],
            "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_append_only"],
        },
    )


def restore_guard(apps, schema_editor):
    _execute(
        schema_editor,
        {
            "postgresql": [f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only"],
            "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_append_only", SQLITE_TRIGGER],
        },
    )


def fill_tokens(apps, schema_editor):
    Evidence = apps.get_model("alliances", "DutyEvidence")
    # The historical model's default manager is a plain one: no append-only refusal here.
    for pk in Evidence.objects.filter(token__isnull=True).values_list("pk", flat=True):
        Evidence.objects.filter(pk=pk).update(token=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("alliances", "0006_quorum_rule_label")]

    operations = [
        migrations.AddField(
            model_name="dutyevidence",
            name="token",
            field=models.UUIDField(editable=False, null=True, verbose_name="token"),
        ),
        migrations.RunPython(hold_guard, restore_guard, elidable=False),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dutyevidence",
            name="token",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="token"
            ),
        ),
        migrations.RunPython(restore_guard, hold_guard, elidable=False),
    ]
