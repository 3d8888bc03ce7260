from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.models import ChangeLoggedModel
from core.roles import Role

__all__ = ["Grant", "Role", "User"]


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
