"""Change logging for single-object writes (bulk writes log through audit.services)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from audit.models import ChangeLoggedModel, ObjectChange
from audit.services import record


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
