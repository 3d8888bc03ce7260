import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.models import ChangeLoggedModel
from core.roles import Role

__all__ = ["ApiToken", "Grant", "Role", "User", "hash_token"]


class User(AbstractUser):
    """A person who signs in. What they may do comes from their grants, not from flags."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def grant_list(self) -> list["Grant"]:
        """All grants with their scope targets, loaded once per request (one query)."""
        return list(self.grants.select_related("region", "village", "organisation"))

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grant_list}


class Grant(ChangeLoggedModel):
    """A role for a scope: a region (and everything under it), a village, or an organisation.

    A grant with no scope target covers the whole system (the city admin of a single-city
    deployment, or an auditor with province-wide remit). Grants are change-logged: who was
    given which power, by whom, is part of the audit trail.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "registry.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                name="accounts_grant_one_scope",
                condition=(
                    models.Q(region__isnull=True, village__isnull=True)
                    | models.Q(region__isnull=True, organisation__isnull=True)
                    | models.Q(village__isnull=True, organisation__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        target = self.region or self.village or self.organisation or _("everything")
        return f"{self.user} · {self.get_role_display()} · {target}"


def hash_token(secret: str) -> str:
    """The stored form of an API token: its SHA-256. A token is 256 random bits, so a fast
    hash is enough (no salt or stretching) and a lookup costs one index probe, not PBKDF2."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def for_secret(self, secret: str) -> "ApiToken | None":
        """The active token whose secret this is, with its user; None if none is."""
        return self.active().select_related("user").filter(key_hash=hash_token(secret)).first()


class ApiToken(ChangeLoggedModel):
    """A secret an API client sends as `Authorization: Token <secret>`, in place of a password.

    Only the secret's hash is stored: the secret is shown once, when it is issued
    (`baotuan create_token`), and cannot be read back. `prefix` (its first characters)
    tells tokens apart in lists. A token is revoked, never deleted, so the change log and
    `last_used` still say what it was. Issuing and revoking go through accounts.services.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} · {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
