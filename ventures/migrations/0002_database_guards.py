"""Guards in the database itself, for paths that bypass the services.

- PostgreSQL: exclusion constraints refuse two stakes of one holder in one venture whose
  day ranges overlap (the service checks this under a lock on the venture; this stops raw
  SQL and any future path). Equality on ids is written as overlap of one-point int8
  ranges, so the constraint needs GiST only, not the btree_gist extension. Village codes
  are 12 digits (registry), so they cast to bigint.
- Public notices (公示) are never edited: a trigger refuses UPDATE and DELETE on
  PostgreSQL, UPDATE on SQLite (whose test flush is DELETE FROM; the ORM refuses deletes).
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE ventures_stake ADD CONSTRAINT ventures_stake_no_overlap_village
    EXCLUDE USING gist (
        int8range(venture_id, venture_id, '[]') WITH &&,
        int8range(village_id::bigint, village_id::bigint, '[]') WITH &&,
        daterange(effective_from, effective_to, '[]') WITH &&
    ) WHERE (village_id IS NOT NULL)
    """,
    """
    ALTER TABLE ventures_stake ADD CONSTRAINT ventures_stake_no_overlap_organisation
    EXCLUDE USING gist (
        int8range(venture_id, venture_id, '[]') WITH &&,
        int8range(organisation_id, organisation_id, '[]') WITH &&,
        daterange(effective_from, effective_to, '[]') WITH &&
    ) WHERE (organisation_id IS NOT NULL)
    """,
    """
    CREATE OR REPLACE FUNCTION ventures_publicnotice_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ventures_publicnotice is never edited (% refused)', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ventures_publicnotice_frozen BEFORE UPDATE OR DELETE ON ventures_publicnotice
        FOR EACH ROW EXECUTE FUNCTION ventures_publicnotice_immutable()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS ventures_publicnotice_frozen ON ventures_publicnotice",
    "DROP FUNCTION IF EXISTS ventures_publicnotice_immutable()",
    "ALTER TABLE ventures_stake DROP CONSTRAINT IF EXISTS ventures_stake_no_overlap_organisation",
    "ALTER TABLE ventures_stake DROP CONSTRAINT IF EXISTS ventures_stake_no_overlap_village",
]
SQLITE_FORWARD = [
    "CREATE TRIGGER ventures_publicnotice_frozen BEFORE UPDATE ON ventures_publicnotice "
    "BEGIN SELECT RAISE(ABORT, 'ventures_publicnotice is never edited (UPDATE refused)'); END;",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS ventures_publicnotice_frozen"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ventures", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
