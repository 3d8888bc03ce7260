"""Change logging for single-object writes (bulk writes log through audit.services)."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from audit.models import ObjectChange
from audit.services import record
from core.models import ChangeLoggedModel


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel) or instance._state.adding:
        return
    # One query per single-object update: the before-image must come from the database,
    # not from the (possibly already modified) instance.
    before = sender._base_manager.filter(pk=instance.pk).first()
    instance._change_before = before.to_change_dict() if before is not None else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    before = None if created else getattr(instance, "_change_before", None)
    after = instance.to_change_dict()
    if not created and before == after:
        return  # saving an unchanged object is not a change
    record(
        instance,
        ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE,
        before=before,
        after=after,
    )
    instance._change_before = after


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    record(instance, ObjectChange.Action.DELETE, before=instance.to_change_dict(), after=None)


@receiver(m2m_changed)
def _log_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Membership changes (e.g. Organisation.villages) are updates of the owning object."""
    if reverse or not isinstance(instance, ChangeLoggedModel):
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance._m2m_before = sorted(
            str(pk) for pk in getattr(instance, field.name).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    before = getattr(instance, "_m2m_before", [])
    after = sorted(str(pk) for pk in getattr(instance, field.name).values_list("pk", flat=True))
    if before != after:
        record(
            instance,
            ObjectChange.Action.UPDATE,
            before={field.name: before},
            after={field.name: after},
        )
