from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.roles import Role
from core.scope import ScopePolicy

__all__ = ["ChangeSet", "ObjectChange"]


#: The change sets' sources (`ChangeSet.source`) as shown on the change log pages.
SOURCE_LABELS = {
    "web": _("web page"),
    "api": _("API"),
    "cli": _("command"),
    "job": _("background job"),
    "system": _("scheduled task"),
}


class ChangeSet(AppendOnlyModel):
    """One request, command or job that changed something: who acted, when, from where.

    Kept apart from the per-object rows so that an import of 255,000 rows writes its actor
    once, not 255,000 times (a third fewer bytes and two fewer indexes per object row).
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # a deleted user's history stays; the name is kept below
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=20)
    request_id = models.UUIDField(_("request id"), unique=True)
    path = models.CharField(_("path"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("change set")
        verbose_name_plural = _("change sets")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.user_name or self.source} {self.time:%Y-%m-%d %H:%M}"


class ObjectChange(AppendOnlyModel):
    """One create, update or delete of a domain object: what, before and after, and (through
    its change set) who and when.

    Append-only: the model and its queryset refuse edits and deletes, the admin and API are
    read-only, and triggers in the database refuse UPDATE (and DELETE on PostgreSQL).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    changeset = models.ForeignKey(
        ChangeSet, on_delete=models.PROTECT, related_name="changes", verbose_name=_("change set")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # No standalone index (audit_change_object leads with content_type) and no FK check:
    # content types are never deleted, and a bulk import writes 255,000 of these rows.
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    object_pk = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    prechange_data = models.JSONField(_("before"), null=True, blank=True)
    postchange_data = models.JSONField(_("after"), null=True, blank=True)

    # Read by auditors and admins only; nobody writes through the scoped paths.
    scope_policy = ScopePolicy(view_roles=frozenset({Role.AUDITOR, Role.CITY_ADMIN}))

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        # The id grows with time (rows are only ever appended), and needs no extra index.
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_pk"], name="audit_change_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    # Who and when live on the change set; these read through (select_related("changeset")).
    time = property(lambda self: self.changeset.time)
    user = property(lambda self: self.changeset.user)
    user_id = property(lambda self: self.changeset.user_id)
    user_name = property(lambda self: self.changeset.user_name)
    source = property(lambda self: self.changeset.source)
    request_id = property(lambda self: self.changeset.request_id)
    path = property(lambda self: self.changeset.path)
    ip = property(lambda self: self.changeset.ip)

    @property
    def source_label(self) -> str:
        """Where the change came from, in words ("web page"), not its code ("web")."""
        return str(SOURCE_LABELS.get(self.source, self.source))

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.prechange_data or {}, self.postchange_data or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
