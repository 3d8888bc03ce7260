"""The database itself keeps the ledger append-only and balanced.

The models, querysets, admin and API already refuse edits; these triggers also stop raw
SQL, the shell and any future code path.

PostgreSQL
- UPDATE and DELETE of entries, postings, period locks and snapshots are refused.
- An entry dated on or before the end of the latest locked month is refused (BEFORE
  INSERT), and so are postings added to such an entry (once per statement, from its
  transition table).
- At COMMIT (a deferred constraint trigger on each inserted posting) every touched entry
  must sum to zero per currency, have at least two postings and be in its accounts'
  currencies; a deferred trigger on each new entry checks that it got postings. The
  posting trigger fires for every row (a distribution has 20,000) but only the entry's
  highest-numbered posting does the work: one index probe per row, one sum per entry.
  `SET CONSTRAINTS ALL IMMEDIATE` runs the checks early, inside the transaction.
  (A posting inserted by hand with an explicit id below the entry's existing ones is
  not re-summed here; `check_ledger` finds the imbalance.)
- TRUNCATE stays possible for the database owner (the test runner's flush uses it);
  production revokes it from the application role, as for the change log (audit 0002).

SQLite
- UPDATE of these tables is refused, and so is an entry dated in a locked month. DELETE
  stays open because SQLite's test flush is DELETE FROM; every application path refuses
  deletes, and `check_ledger` finds what a raw DELETE would break. SQLite has no deferred
  triggers: `post_entry` checks the balance before writing, in the same transaction, and
  `check_ledger` re-checks it from the rows. A per-posting lock check (as on PostgreSQL)
  cost a third of SQLite's insert speed, for raw SQL only, so it is left to
  `check_ledger` too (a posting slipped into a locked month breaks its snapshot).
"""

from django.db import migrations

IMMUTABLE_TABLES = [
    "ledger_journalentry",
    "ledger_posting",
    "ledger_period",
    "ledger_balancesnapshot",
]

PG_FORWARD = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % is append-only (% refused); post a reversal instead',
        TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

-- The last day of the latest locked month, or NULL: nothing may be dated on or before it.
CREATE OR REPLACE FUNCTION ledger_locked_through() RETURNS date AS $$
    SELECT (make_date(year, month, 1) + interval '1 month' - interval '1 day')::date
    FROM ledger_period ORDER BY year DESC, month DESC LIMIT 1;
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION ledger_entry_period_open() RETURNS trigger AS $$
BEGIN
    IF NEW.date <= ledger_locked_through() THEN
        RAISE EXCEPTION 'ledger: entry dated % is in a locked period (locked through %)',
            NEW.date, ledger_locked_through() USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_posting_period_open() RETURNS trigger AS $$
DECLARE
    horizon date := ledger_locked_through();
    bad record;
BEGIN
    IF horizon IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT e.id, e.date INTO bad FROM ledger_journalentry e
        WHERE e.id IN (SELECT entry_id FROM new_postings) AND e.date <= horizon LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger: entry % dated % is in a locked period (locked through %)',
            bad.id, bad.date, horizon USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_posting_entry_balances() RETURNS trigger AS $$
DECLARE
    lines bigint;
    residuals text;
BEGIN
    -- Once per entry: only its highest-numbered posting checks the whole entry.
    IF EXISTS (SELECT 1 FROM ledger_posting WHERE entry_id = NEW.entry_id AND id > NEW.id) THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO lines FROM ledger_posting WHERE entry_id = NEW.entry_id;
    IF lines < 2 THEN
        RAISE EXCEPTION 'ledger: entry % has % posting(s); an entry needs at least two',
            NEW.entry_id, lines USING ERRCODE = 'check_violation';
    END IF;
    SELECT string_agg(currency || ' ' || total::text, ', ' ORDER BY currency) INTO residuals
        FROM (SELECT currency, sum(amount) AS total FROM ledger_posting
              WHERE entry_id = NEW.entry_id GROUP BY currency HAVING sum(amount) <> 0) r;
    IF residuals IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: entry % does not balance (residual in fen: %)',
            NEW.entry_id, residuals USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id
               WHERE p.entry_id = NEW.entry_id AND p.currency <> a.currency) THEN
        RAISE EXCEPTION 'ledger: entry % has a posting in another currency than its account',
            NEW.entry_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_has_postings() RETURNS trigger AS $$
BEGIN
    IF (SELECT count(*) FROM (SELECT 1 FROM ledger_posting WHERE entry_id = NEW.id LIMIT 2) t)
            < 2 THEN
        RAISE EXCEPTION 'ledger: entry % has fewer than two postings', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_journalentry_immutable BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_posting_immutable BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_period_immutable BEFORE UPDATE OR DELETE ON ledger_period
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_balancesnapshot_immutable BEFORE UPDATE OR DELETE
    ON ledger_balancesnapshot FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_journalentry_period_open BEFORE INSERT ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_period_open();
CREATE TRIGGER ledger_posting_period_open AFTER INSERT ON ledger_posting
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_posting_period_open();

CREATE CONSTRAINT TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_posting_entry_balances();
CREATE CONSTRAINT TRIGGER ledger_journalentry_has_postings AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_has_postings();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS ledger_journalentry_has_postings ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;
DROP TRIGGER IF EXISTS ledger_posting_period_open ON ledger_posting;
DROP TRIGGER IF EXISTS ledger_journalentry_period_open ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_balancesnapshot_immutable ON ledger_balancesnapshot;
DROP TRIGGER IF EXISTS ledger_period_immutable ON ledger_period;
DROP TRIGGER IF EXISTS ledger_posting_immutable ON ledger_posting;
DROP TRIGGER IF EXISTS ledger_journalentry_immutable ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_entry_has_postings();
DROP FUNCTION IF EXISTS ledger_posting_entry_balances();
DROP FUNCTION IF EXISTS ledger_posting_period_open();
DROP FUNCTION IF EXISTS ledger_entry_period_open();
DROP FUNCTION IF EXISTS ledger_locked_through();
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""

# The latest locked month as YYYYMM (NULL when none), via the (year, month) unique index.
_SQLITE_LOCKED_THROUGH = (
    "(SELECT year * 100 + month FROM ledger_period ORDER BY year DESC, month DESC LIMIT 1)"
)
SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'ledger: {table} is append-only (UPDATE refused)'); END;"
        for table in IMMUTABLE_TABLES
    ),
    "CREATE TRIGGER ledger_journalentry_period_open BEFORE INSERT ON ledger_journalentry "
    f"WHEN CAST(strftime('%Y%m', NEW.date) AS INTEGER) <= {_SQLITE_LOCKED_THROUGH} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: the entry is dated in a locked period'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_period_open;",
    *(f"DROP TRIGGER IF EXISTS {table}_immutable;" for table in IMMUTABLE_TABLES),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
