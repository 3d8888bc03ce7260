"""Attachments are addressed by a random token, not their sequential id: existing rows get
one each, then the column is made unique and required."""

import uuid

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    Attachment = apps.get_model("projects", "ProjectAttachment")
    for pk in Attachment.objects.filter(token__isnull=True).values_list("pk", flat=True):
        Attachment.objects.filter(pk=pk).update(token=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_progress_append_only")]

    operations = [
        migrations.AddField(
            model_name="projectattachment",
            name="token",
            field=models.UUIDField(editable=False, null=True, verbose_name="token"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="projectattachment",
            name="token",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="token"
            ),
        ),
    ]
