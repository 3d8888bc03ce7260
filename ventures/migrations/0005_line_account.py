"""Each distribution line records its holder's payable account (check_ledger's reconciliation
joins the lines to the posted entry by it).

Lines already written get the account their holder's name finds, where it exists (every
posted run's lines do; a prepared run's are filled when it is posted). Lines are never
edited (the guard trigger of 0003), so the fill lifts that trigger for its one UPDATE and
puts it back in the same transaction.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models


GUARDS = importlib.import_module("ventures.migrations.0003_run_and_line_guards")
LINE = GUARDS.LINE

FILL = f"""
UPDATE {LINE} SET account_id = (
    SELECT a.id FROM ledger_account a
    JOIN ventures_distributionrun r ON r.id = {LINE}.run_id
    JOIN ventures_venture v ON v.id = r.venture_id
    WHERE a.organisation_id = v.organisation_id AND a.kind = 'distribution_payable'
      AND a.village_id IS NULL AND a.currency = v.currency
      AND a.name = 'Venture-' || r.venture_id || CASE
          WHEN {LINE}.village_id IS NOT NULL THEN '-Village-' || {LINE}.village_id
          ELSE '-Organisation-' || {LINE}.organisation_id END
) WHERE amount <> 0 AND account_id IS NULL
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    line = apps.get_model("ventures", "DistributionLine")
    if not line.objects.filter(amount__gt=0).exists():
        return
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {LINE} DISABLE TRIGGER {LINE}_never_edited", params=None
        )
        schema_editor.execute(FILL, params=None)
        schema_editor.execute(f"ALTER TABLE {LINE} ENABLE TRIGGER {LINE}_never_edited", params=None)
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {LINE}_never_edited", params=None)
        schema_editor.execute(FILL, params=None)
        for sql in GUARDS._sqlite_forward():
            if f"{LINE}_never_edited" in sql:
                schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_covering_indexes"),
        ("registry", "0003_importjob_upload_task"),
        ("ventures", "0004_merge_0003_notice_period_0003_run_and_line_guards"),
    ]

    operations = [
        migrations.AddField(
            model_name="distributionline",
            name="account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
                verbose_name="payable account",
            ),
        ),
        migrations.AddIndex(
            model_name="distributionline",
            index=models.Index(fields=["run", "account", "amount"], name="ventures_line_reconcile"),
        ),
        migrations.AddConstraint(
            model_name="distributionline",
            constraint=models.UniqueConstraint(
                condition=models.Q(("account__isnull", False)),
                fields=("run", "account"),
                name="ventures_line_one_per_account",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
