"""Distribution runs and their lines are guarded in the database too (issue 10), like the
ledger's entries and postings, public notices and the alliances' frozen records.

Runs (`ventures_distributionrun`), mirroring `DistributionRun._check_edit`:
- what a run computed (venture, period, policy, parameters, source, amounts, holders, who
  prepared it and when) never changes;
- the status moves only forward (prepared → approved → posted → published | reversed,
  posted → reversed), and each step's own fields (who and when) change only in that step;
- an UPDATE that changes nothing passes (the ORM's save of an unchanged row);
- PostgreSQL: a posted, published or reversed run is never deleted (a prepared or approved
  one is discarded with its lines).
Lines (`ventures_distributionline`), mirroring `DistributionLine`:
- never updated;
- added only while their run is prepared;
- PostgreSQL: deleted only with a discarded run (prepared or approved).
SQLite keeps DELETE open, as for the other protected tables: its test flush is DELETE FROM;
every application path refuses the delete, and `check_ledger` reconciles posted runs' lines
with their entries.

PostgreSQL raises SQLSTATE 23000 (integrity_constraint_violation), so Django raises
IntegrityError on both databases, as for a check constraint. The line checks on
PostgreSQL run once per statement (transition tables), so a 20,000-line run's bulk COPY
pays one join, not 20,000 trigger calls.
"""

from django.db import migrations

RUN, LINE = "ventures_distributionrun", "ventures_distributionline"
COMPUTED = [
    "venture_id",
    "period_start",
    "period_end",
    "policy",
    "params",
    "source",
    "total",
    "reserve_amount",
    "welfare_amount",
    "distributed_amount",
    "holder_count",
    "prepared_by_id",
    "prepared_at",
]
# Each step: the statuses it leaves, the status it reaches, the fields only it may set.
STEPS = [
    (("prepared",), "approved", ["approved_by_id", "approved_at"]),
    (("approved",), "posted", ["posted_by_id", "posted_at", "posted_on", "posted_entry_id"]),
    (("posted",), "published", ["published_by_id", "published_at"]),
    (
        ("posted", "published"),
        "reversed",
        ["reversed_by_id", "reversed_at", "reversed_on", "reversal_entry_id", "reversal_reason"],
    ),
]
DISCARDABLE = ("prepared", "approved")


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def refused_update(differs) -> str:
    """The SQL condition under which an UPDATE of a run is refused.

    `differs` renders "column changed" for the database (IS DISTINCT FROM / IS NOT).
    """
    transitions = [f"{old}>{new}" for olds, new, _fields in STEPS for old in olds]
    parts = [
        " OR ".join(differs(column) for column in COMPUTED),
        f"({differs('status')} AND (OLD.status || '>' || NEW.status) NOT IN "
        f"({_quoted(transitions)}))",
    ]
    for olds, new, fields in STEPS:
        changed = " OR ".join(differs(field) for field in fields)
        parts.append(
            f"(({changed}) AND NOT (OLD.status IN ({_quoted(olds)}) AND NEW.status = '{new}'))"
        )
    return " OR ".join(f"({part})" for part in parts)


def _pg_forward() -> list[str]:
    refused = refused_update(lambda column: f"NEW.{column} IS DISTINCT FROM OLD.{column}")
    return [
        f"""
        CREATE OR REPLACE FUNCTION {RUN}_guard() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.status IN ({_quoted(DISCARDABLE)}) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '{RUN}: run % is %; a posted run is reversed, never deleted '
                    '(DELETE refused)', OLD.id, OLD.status
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF {refused} THEN
                RAISE EXCEPTION '{RUN}: run % (%) changes only by its workflow steps '
                    '(UPDATE to % refused)', OLD.id, OLD.status, NEW.status
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {RUN}_guard BEFORE UPDATE OR DELETE ON {RUN} "
        f"FOR EACH ROW EXECUTE FUNCTION {RUN}_guard()",
        f"""
        CREATE OR REPLACE FUNCTION {LINE}_never_edited() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{LINE} is never edited (UPDATE refused)'
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {LINE}_never_edited BEFORE UPDATE ON {LINE} "
        f"FOR EACH ROW EXECUTE FUNCTION {LINE}_never_edited()",
        f"""
        CREATE OR REPLACE FUNCTION {LINE}_added_while_prepared() RETURNS trigger AS $$
        DECLARE
            bad record;
        BEGIN
            SELECT r.id, r.status INTO bad FROM {RUN} r
                WHERE r.id IN (SELECT run_id FROM new_lines) AND r.status <> 'prepared' LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION '{LINE}: run % is %; lines are added only while a run is '
                    'prepared (INSERT refused)', bad.id, bad.status
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {LINE}_added_while_prepared AFTER INSERT ON {LINE} "
        f"REFERENCING NEW TABLE AS new_lines "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {LINE}_added_while_prepared()",
        f"""
        CREATE OR REPLACE FUNCTION {LINE}_deleted_with_run() RETURNS trigger AS $$
        DECLARE
            bad record;
        BEGIN
            SELECT r.id, r.status INTO bad FROM {RUN} r
                WHERE r.id IN (SELECT run_id FROM old_lines)
                  AND r.status NOT IN ({_quoted(DISCARDABLE)}) LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION '{LINE}: run % is %; lines go only with a discarded run '
                    '(DELETE refused)', bad.id, bad.status
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {LINE}_deleted_with_run AFTER DELETE ON {LINE} "
        f"REFERENCING OLD TABLE AS old_lines "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {LINE}_deleted_with_run()",
    ]


def _pg_backward() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {LINE}_deleted_with_run ON {LINE}",
        f"DROP FUNCTION IF EXISTS {LINE}_deleted_with_run()",
        f"DROP TRIGGER IF EXISTS {LINE}_added_while_prepared ON {LINE}",
        f"DROP FUNCTION IF EXISTS {LINE}_added_while_prepared()",
        f"DROP TRIGGER IF EXISTS {LINE}_never_edited ON {LINE}",
        f"DROP FUNCTION IF EXISTS {LINE}_never_edited()",
        f"DROP TRIGGER IF EXISTS {RUN}_guard ON {RUN}",
        f"DROP FUNCTION IF EXISTS {RUN}_guard()",
    ]


def _sqlite_forward() -> list[str]:
    refused = refused_update(lambda column: f"NEW.{column} IS NOT OLD.{column}")
    return [
        f"CREATE TRIGGER {RUN}_guard BEFORE UPDATE ON {RUN} WHEN {refused} "
        f"BEGIN SELECT RAISE(ABORT, '{RUN}: a run changes only by its workflow steps "
        f"(UPDATE refused)'); END;",
        f"CREATE TRIGGER {LINE}_never_edited BEFORE UPDATE ON {LINE} "
        f"BEGIN SELECT RAISE(ABORT, '{LINE} is never edited (UPDATE refused)'); END;",
        f"CREATE TRIGGER {LINE}_added_while_prepared BEFORE INSERT ON {LINE} "
        f"WHEN (SELECT status FROM {RUN} WHERE id = NEW.run_id) IS NOT 'prepared' "
        f"BEGIN SELECT RAISE(ABORT, '{LINE}: lines are added only while a run is prepared "
        f"(INSERT refused)'); END;",
    ]


def _sqlite_backward() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {LINE}_added_while_prepared",
        f"DROP TRIGGER IF EXISTS {LINE}_never_edited",
        f"DROP TRIGGER IF EXISTS {RUN}_guard",
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
    dependencies = [("ventures", "0002_database_guards")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
