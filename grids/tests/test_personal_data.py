"""Personal data by design: sealed at rest, found by a keyed index, masked everywhere,
revealed one record at a time to the village's clerk with a logged reason."""

import pytest
from django.db import connection

from audit.models import ObjectChange
from core.actors import SYSTEM
from core.errors import Conflict, Invalid, NotAllowed
from grids import selectors, services
from grids.models import Person, PersonalDataReveal
from grids.tests.conftest import make_id

pytestmark = pytest.mark.django_db


def test_nothing_is_stored_in_clear(shared):
    number = make_id()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM grids_person")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert number not in stored
    assert "13812345678" not in stored
    assert "330482********001" in stored  # the mask is kept beside the seal


def test_the_change_log_keeps_masks_only(shared):
    logged = " ".join(f"{c.prechange_data} {c.postchange_data}" for c in ObjectChange.objects.all())
    assert make_id() not in logged
    assert "13812345678" not in logged
    assert shared["head"].id_sealed not in logged
    assert shared["head"].id_hash not in logged
    assert "张三" not in logged
    assert "张*" in logged


def test_a_person_is_found_by_id_number_without_decrypting(shared, st_clerk):
    assert selectors.find_by_id_number(st_clerk, make_id().lower()) == shared["head"]


def test_a_duplicate_across_villages_names_the_other_household(shared, xujiadai):
    household = services.create_household(actor=SYSTEM, village=xujiadai, number="900")
    with pytest.raises(Conflict, match="001"):
        services.add_person(
            actor=SYSTEM,
            household=household,
            name="重复",
            gender="M",
            birth_year=1970,
            relation="head",
            id_number=make_id(),
        )
    assert not Person.objects.filter(household=household).exists()


@pytest.mark.parametrize("bad", ["33048219700101001", "330482197001010010", "33048219701301001X"])
def test_an_invalid_id_number_is_refused(shared, bad):
    with pytest.raises(Invalid):
        services.add_person(
            actor=SYSTEM,
            household=shared["outside"],
            name="王五",
            gender="M",
            birth_year=1970,
            relation="spouse",
            id_number=bad,
        )


def test_the_clerk_reveals_one_value_and_it_is_logged(shared, st_clerk):
    value = services.reveal(
        actor=st_clerk, person=shared["head"], field="id_number", reason="核对低保申请"
    )
    assert value == make_id()
    log = PersonalDataReveal.objects.get()
    assert (log.user, log.person, log.field, log.reason) == (
        st_clerk,
        shared["head"],
        "id_number",
        "核对低保申请",
    )


@pytest.mark.parametrize("who", ["js_partner", "auditor", "st_member", "other_clerk"])
def test_nobody_else_reveals(shared, who, request):
    with pytest.raises(NotAllowed):
        services.reveal(
            actor=request.getfixturevalue(who),
            person=shared["head"],
            field="phone",
            reason="想看看",
        )
    assert not PersonalDataReveal.objects.exists()


def test_a_reveal_needs_a_reason(shared, st_clerk):
    with pytest.raises(Invalid):
        services.reveal(actor=st_clerk, person=shared["head"], field="phone", reason=" ")
    assert not PersonalDataReveal.objects.exists()


def test_the_reveal_log_is_for_the_auditor(shared, st_clerk, auditor, js_partner):
    services.reveal(actor=st_clerk, person=shared["head"], field="phone", reason="联系户主")
    assert selectors.reveals_for(auditor).count() == 1
    assert selectors.reveals_for(js_partner).count() == 0
    assert selectors.reveals_for(st_clerk).count() == 0


def test_the_reveal_log_cannot_be_rewritten_even_in_sql(shared, st_clerk):
    from django.db import DatabaseError, transaction

    services.reveal(actor=st_clerk, person=shared["head"], field="phone", reason="联系户主")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE grids_personaldatareveal SET reason = 'nothing'")
    assert PersonalDataReveal.objects.get().reason == "联系户主"
