"""The abstract bases every domain model stands on: change-logged rows and append-only rows.

No concrete models live here (the change log's tables belong to `audit`); these bases carry
no fields, so moving them here changed no migration.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.scope import RestrictedQuerySet

__all__ = [
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "ChangeLoggedModel",
    "ImmutableError",
]


class ImmutableError(Exception):
    """Raised on any attempt to edit or delete a change-log row."""


class AppendOnlyQuerySet(RestrictedQuerySet):
    """Refuses bulk edits and deletes, with the error and message its model names."""

    def update(self, **kwargs):
        raise self.model.refused("edit")

    def delete(self):
        raise self.model.refused("delete")

    def _raw_delete(self, using):
        raise self.model.refused("delete")


class AppendOnlyModel(models.Model):
    """Rows written once and never edited or deleted through the ORM (the change log, votes,
    progress history, frozen snapshots, public notices). Each model names the exception and
    the two messages it refuses with; database triggers back it where the app installs them.
    """

    immutable_error: type[Exception] = ImmutableError
    edit_refused = "the change log cannot be edited"
    delete_refused = "the change log cannot be deleted"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.refused("edit")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.refused("delete")

    @classmethod
    def refused(cls, what: str) -> Exception:
        return cls.immutable_error(cls.edit_refused if what == "edit" else cls.delete_refused)


class ChangeLoggedModel(models.Model):
    """Base for every domain model: its creates, updates and deletes go to the change log.

    Single-object writes are logged by signals (audit.signals); bulk writes are logged by
    the service that does them, through audit.services.log_bulk.
    """

    class Meta:
        abstract = True

    def to_change_dict(self) -> dict:
        """A JSON-safe snapshot of the concrete fields, keyed by attribute name."""
        data = {}
        for f in self._meta.concrete_fields:
            value = getattr(self, f.attname)
            if value is not None and not isinstance(value, (str, int, float, bool)):
                value = str(value)
            data[f.attname] = value
        return data

    @classmethod
    def content_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls)
