"""Who may take which step for a venture (maker-checker, ARCHITECTURE.md "Who uses it").

Scope comes from the user's grants exactly as `core.scope.may_write` reads them
for an organisation: a grant on the venture's operating organisation, on a region above the
organisation's region, or unscoped. The role decides the step:

| step | roles |
|---|---|
| register stakes, record contributions and income, prepare or discard a run | finance |
| approve a run (never one's own: `MakerCheckerError`) | approver |
| post and publish an approved run | finance, approver |
| reverse a posted run | approver |

City administrators may take every step in their scope (still never approving their own
run); auditors take none.
"""

from __future__ import annotations

from core.roles import Role

__all__ = [
    "APPROVE_ROLES",
    "POST_ROLES",
    "PREPARE_ROLES",
    "PUBLISH_ROLES",
    "REGISTER_ROLES",
    "REVERSE_ROLES",
    "has_role",
    "run_rights",
]

REGISTER_ROLES = frozenset({Role.FINANCE})
PREPARE_ROLES = frozenset({Role.FINANCE})
APPROVE_ROLES = frozenset({Role.APPROVER})
POST_ROLES = frozenset({Role.FINANCE, Role.APPROVER})
PUBLISH_ROLES = frozenset({Role.FINANCE, Role.APPROVER})
REVERSE_ROLES = frozenset({Role.APPROVER})


def has_role(user, organisation, roles: frozenset[str]) -> bool:
    """Whether `user` holds one of `roles` (or city admin) for this operating organisation.

    Evaluated from the cached grants: no query beyond the one loading `user.grant_list`.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    allowed = (set(roles) | {Role.CITY_ADMIN}) - {Role.AUDITOR}
    for grant in user.grant_list:
        if grant.role not in allowed:
            continue
        if grant.region_id is None and grant.village_id is None and grant.organisation_id is None:
            return True
        if grant.organisation_id is not None and grant.organisation_id == organisation.pk:
            return True
        if (
            grant.region_id is not None
            and organisation.region_id
            and organisation.region_id.startswith(grant.region_id)
        ):
            return True
    return False


def run_rights(user, run) -> dict[str, bool]:
    """Which workflow buttons to show for a run (the services decide again on POST)."""
    from ventures.choices import RunStatus

    organisation = run.venture.organisation
    status = run.status
    is_preparer = user is not None and user.is_authenticated and user.pk == run.prepared_by_id
    return {
        "approve": status == RunStatus.PREPARED
        and not is_preparer
        and has_role(user, organisation, APPROVE_ROLES),
        "discard": status in (RunStatus.PREPARED, RunStatus.APPROVED)
        and has_role(user, organisation, PREPARE_ROLES | APPROVE_ROLES),
        "post": status == RunStatus.APPROVED and has_role(user, organisation, POST_ROLES),
        "publish": status == RunStatus.POSTED and has_role(user, organisation, PUBLISH_ROLES),
        "reverse": status in (RunStatus.POSTED, RunStatus.PUBLISHED)
        and has_role(user, organisation, REVERSE_ROLES),
    }
