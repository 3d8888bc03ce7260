"""Minutes record who amended them last (four eyes), and meetings freeze with their minutes.

Database guards, for paths that bypass the models and services (as in 0003):
- a meeting whose minutes are signed off refuses UPDATE (and DELETE on PostgreSQL);
- its agenda refuses INSERT and UPDATE, into or out of it (and DELETE on PostgreSQL;
  SQLite's test flush is DELETE FROM, and the models refuse deletes anyway).

On SQLite, adding a check constraint rebuilds the minutes table, which drops its frozen
trigger from 0003: it is created again here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FROZEN = (
    "EXISTS (SELECT 1 FROM alliances_minutes m "
    "WHERE m.meeting_id = {meeting} AND m.signed_off_at IS NOT NULL)"
)
MINUTES_SQLITE = (
    "CREATE TRIGGER alliances_minutes_frozen BEFORE UPDATE ON alliances_minutes "
    "WHEN OLD.signed_off_at IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'alliances_minutes: frozen row (UPDATE refused)'); END;"
)


def _pg_forward():
    return [
        f"""
        CREATE OR REPLACE FUNCTION alliances_meeting_frozen() RETURNS trigger AS $$
        BEGIN
            IF {FROZEN.format(meeting="OLD.id")} THEN
                RAISE EXCEPTION 'alliances_meeting: minutes signed off (% refused)', TG_OP;
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER alliances_meeting_frozen BEFORE UPDATE OR DELETE ON alliances_meeting "
        "FOR EACH ROW EXECUTE FUNCTION alliances_meeting_frozen()",
        f"""
        CREATE OR REPLACE FUNCTION alliances_agendaitem_frozen() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND {FROZEN.format(meeting="OLD.meeting_id")} THEN
                RAISE EXCEPTION 'alliances_agendaitem: minutes signed off (% refused)', TG_OP;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND {FROZEN.format(meeting="NEW.meeting_id")} THEN
                RAISE EXCEPTION 'alliances_agendaitem: minutes signed off (% refused)', TG_OP;
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER alliances_agendaitem_frozen "
        "BEFORE INSERT OR UPDATE OR DELETE ON alliances_agendaitem "
        "FOR EACH ROW EXECUTE FUNCTION alliances_agendaitem_frozen()",
    ]


def _pg_backward():
    return [
        "DROP TRIGGER IF EXISTS alliances_agendaitem_frozen ON alliances_agendaitem",
        "DROP FUNCTION IF EXISTS alliances_agendaitem_frozen()",
        "DROP TRIGGER IF EXISTS alliances_meeting_frozen ON alliances_meeting",
        "DROP FUNCTION IF EXISTS alliances_meeting_frozen()",
    ]


def _sqlite_forward():
    return [
        "DROP TRIGGER IF EXISTS alliances_minutes_frozen",
        MINUTES_SQLITE,
        "CREATE TRIGGER alliances_meeting_frozen BEFORE UPDATE ON alliances_meeting "
        f"WHEN {FROZEN.format(meeting='OLD.id')} "
        "BEGIN SELECT RAISE(ABORT, 'alliances_meeting: minutes signed off (UPDATE refused)'); "
        "END;",
        "CREATE TRIGGER alliances_agendaitem_frozen_insert BEFORE INSERT ON alliances_agendaitem "
        f"WHEN {FROZEN.format(meeting='NEW.meeting_id')} "
        "BEGIN SELECT RAISE(ABORT, 'alliances_agendaitem: minutes signed off (INSERT refused)'); "
        "END;",
        "CREATE TRIGGER alliances_agendaitem_frozen_update BEFORE UPDATE ON alliances_agendaitem "
        f"WHEN {FROZEN.format(meeting='OLD.meeting_id')} "
        f"OR {FROZEN.format(meeting='NEW.meeting_id')} "
        "BEGIN SELECT RAISE(ABORT, 'alliances_agendaitem: minutes signed off (UPDATE refused)'); "
        "END;",
    ]


def _sqlite_backward():
    return [
        "DROP TRIGGER IF EXISTS alliances_agendaitem_frozen_update",
        "DROP TRIGGER IF EXISTS alliances_agendaitem_frozen_insert",
        "DROP TRIGGER IF EXISTS alliances_meeting_frozen",
        # The minutes trigger stays (0003's), rebuilt against the rebuilt table.
        "DROP TRIGGER IF EXISTS alliances_minutes_frozen",
        MINUTES_SQLITE,
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
    dependencies = [
        ("alliances", "0004_natural_choice_sets"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="amended_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last amended by",
            ),
        ),
        migrations.AddConstraint(
            model_name="minutes",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("signed_off_by__isnull", True),
                    ("amended_by__isnull", True),
                    models.Q(("signed_off_by", models.F("amended_by")), _negated=True),
                    _connector="OR",
                ),
                name="alliances_minutes_four_eyes_amended",
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
