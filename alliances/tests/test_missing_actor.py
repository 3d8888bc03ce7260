"""The alliances services fail closed: a caller that forgets who acts gets nothing.

They used to take `user=None` as "a trusted caller" and gave it full rights. Now `actor` is a
required keyword: leaving it out is a TypeError, and None (or an anonymous visitor) is
refused with core.errors.NotAllowed before anything is read or written. Trusted callers (the
demo, commands) say so with `core.actors.SYSTEM`.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances import services
from alliances.models import (
    Decision,
    Duty,
    DutyEvidence,
    DutyUpdate,
    Meeting,
    Membership,
    Minutes,
    Vote,
)
from alliances.tests.conftest import D
from core.actors import SYSTEM
from core.errors import NotAllowed


def _counts():
    models = (Decision, Duty, DutyEvidence, DutyUpdate, Meeting, Membership, Minutes, Vote)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def duty(passed_decision, members):
    return services.create_duty(
        passed_decision.meeting.alliance,
        "提交清单",
        members[0],
        D("2022-06-30"),
        actor=SYSTEM,
        decision=passed_decision,
    )


@pytest.fixture
def calls(alliance, all_present, members, duty, tree):
    """One call of each kind of write, given the actor to try."""
    decision = services.add_decision(all_present, "另一决定", actor=SYSTEM)
    return {
        "create_duty": lambda actor: services.create_duty(
            alliance, "新事项", members[1], D("2022-09-30"), actor=actor
        ),
        "cast_vote": lambda actor: services.cast_vote(decision, members[0], "for", actor=actor),
        "close_decision": lambda actor: services.close_decision(decision, actor=actor),
        "join": lambda actor: services.join(
            alliance, tree["徐家埭村"], "member", D("2023-01-01"), actor=actor
        ),
        "write_minutes": lambda actor: services.write_minutes(all_present, "纪要", actor=actor),
        "add_duty_update": lambda actor: services.add_duty_update(
            duty, "in_progress", 10, "", actor=actor, on=D("2022-05-01")
        ),
        "add_evidence": lambda actor: services.add_evidence(
            duty, SimpleUploadedFile("a.pdf", b"%PDF"), "", actor=actor
        ),
    }


NAMES = [
    "create_duty",
    "cast_vote",
    "close_decision",
    "join",
    "write_minutes",
    "add_duty_update",
    "add_evidence",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_no_actor_is_refused_and_nothing_is_written(calls, name, actor):
    before = _counts()
    with pytest.raises(NotAllowed):
        calls[name](actor)
    assert _counts() == before


def test_leaving_the_actor_out_is_an_error_not_full_rights(all_present, members):
    decision = services.add_decision(all_present, "决定", actor=SYSTEM)
    with pytest.raises(TypeError):
        services.cast_vote(decision, members[0], "for")  # no actor at all
    with pytest.raises(TypeError):
        services.create_duty(all_present.alliance, "事项", members[0], D("2022-06-30"))
    assert not Vote.objects.filter(decision=decision).exists()
    assert not Duty.objects.exists()


def test_a_disabled_account_is_refused(admin, all_present, members):
    admin.is_active = False
    admin.save()
    before = _counts()
    with pytest.raises(NotAllowed):
        services.add_decision(all_present, "决定", actor=admin)
    assert _counts() == before


def test_the_system_acts_and_is_stored_as_no_user(all_present, members):
    decision = services.add_decision(all_present, "决定", actor=SYSTEM)
    vote = services.cast_vote(decision, members[0], "for", actor=SYSTEM)
    closed = services.close_decision(decision, actor=SYSTEM)
    minutes = services.write_minutes(all_present, "纪要", actor=SYSTEM)
    assert (vote.cast_by, closed.closed_by, minutes.author) == (None, None, None)


def test_the_system_neither_signs_off_minutes_nor_verifies_duties(all_present, duty, admin):
    # Both name the person who did it (four eyes): the system is nobody.
    minutes = services.write_minutes(all_present, "纪要", actor=admin)
    with pytest.raises(services.MeetingError):
        services.sign_off_minutes(minutes, actor=SYSTEM)
    services.add_duty_update(duty, "done", None, "", actor=SYSTEM, on=D("2022-06-01"))
    with pytest.raises(services.NotAllowed):
        services.verify_duty(duty, actor=SYSTEM)
    minutes.refresh_from_db()
    duty.refresh_from_db()
    assert (minutes.is_signed_off, duty.status) == (False, "done")
