import pytest

from audit.models import ObjectChange


@pytest.mark.django_db
def test_membership_changes_are_logged_as_updates_of_the_owner(enclave_company, fengshan, xujiadai):
    enclave_company.villages.add(fengshan)
    enclave_company.villages.set([xujiadai])

    changes = list(
        ObjectChange.objects.filter(object_pk=str(enclave_company.pk), action="update")
        .order_by("pk")
        .values_list("prechange_data", "postchange_data")
    )
    assert changes == [
        ({"villages": []}, {"villages": [fengshan.pk]}),
        ({"villages": [fengshan.pk]}, {"villages": []}),
        ({"villages": []}, {"villages": [xujiadai.pk]}),
    ]


@pytest.mark.django_db
def test_setting_the_same_members_logs_nothing(enclave_company, fengshan):
    enclave_company.villages.add(fengshan)
    logged = ObjectChange.objects.count()

    enclave_company.villages.set([fengshan])

    assert ObjectChange.objects.count() == logged
