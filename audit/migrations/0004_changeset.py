"""Move who/when/where from every change row to a change set (one per request or command).

Existing rows are grouped by request id into change sets. The append-only triggers are
dropped for the move and created again afterwards, now on both tables.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION audit_objectchange_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_objectchange_no_update BEFORE UPDATE OR DELETE ON audit_objectchange
    FOR EACH ROW EXECUTE FUNCTION audit_objectchange_immutable();
CREATE TRIGGER audit_changeset_no_update BEFORE UPDATE OR DELETE ON audit_changeset
    FOR EACH ROW EXECUTE FUNCTION audit_objectchange_immutable();
"""
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_objectchange_no_update BEFORE UPDATE ON "
    "audit_objectchange BEGIN SELECT RAISE(ABORT, 'audit_objectchange is append-only "
    "(UPDATE refused)'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_changeset_no_update BEFORE UPDATE ON "
    "audit_changeset BEGIN SELECT RAISE(ABORT, 'audit_changeset is append-only "
    "(UPDATE refused)'); END;",
]


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS audit_objectchange_no_update ON audit_objectchange"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_objectchange_no_update")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRIGGERS, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def group_into_changesets(apps, schema_editor):
    ObjectChange = apps.get_model("audit", "ObjectChange")
    ChangeSet = apps.get_model("audit", "ChangeSet")
    firsts = {}
    for row in ObjectChange.objects.order_by("pk").values(
        "request_id", "time", "user_id", "user_name", "source", "path", "ip"
    ):
        firsts.setdefault(row["request_id"], row)
    for request_id, row in firsts.items():
        changeset = ChangeSet.objects.create(**row)
        # Keep the original time (auto_now_add set "now" on create).
        ChangeSet.objects.filter(pk=changeset.pk).update(time=row["time"])
        ObjectChange.objects.filter(request_id=request_id).update(changeset=changeset)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_lean_bulk_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeSet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("time", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="time")),
                ("user_name", models.CharField(blank=True, db_index=True, max_length=150, verbose_name="user name")),
                ("source", models.CharField(max_length=20, verbose_name="source")),
                ("request_id", models.UUIDField(unique=True, verbose_name="request id")),
                ("path", models.CharField(blank=True, max_length=200, verbose_name="path")),
                ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                ("user", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "change set",
                "verbose_name_plural": "change sets",
                "ordering": ["-pk"],
            },
        ),
        migrations.AddField(
            model_name="objectchange",
            name="changeset",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="changes", to="audit.changeset", verbose_name="change set"),
        ),
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.RunPython(group_into_changesets, migrations.RunPython.noop),
        migrations.RemoveField(model_name="objectchange", name="time"),
        migrations.RemoveField(model_name="objectchange", name="user"),
        migrations.RemoveField(model_name="objectchange", name="user_name"),
        migrations.RemoveField(model_name="objectchange", name="source"),
        migrations.RemoveField(model_name="objectchange", name="request_id"),
        migrations.RemoveField(model_name="objectchange", name="path"),
        migrations.RemoveField(model_name="objectchange", name="ip"),
        migrations.AlterField(
            model_name="objectchange",
            name="changeset",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="changes", to="audit.changeset", verbose_name="change set"),
        ),
        migrations.AlterModelOptions(
            name="objectchange",
            options={"ordering": ["-pk"], "verbose_name": "change", "verbose_name_plural": "change log"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
