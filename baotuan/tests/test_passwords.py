"""Passwords (issue 10, item 9): at least 12 characters, common, all-digit and look-alike ones
refused; each demo account gets its own random password, kept by a later load unless reset.
"""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from baotuan.demo import facts, registry
from baotuan.demo.passwords import give_password, new_password
from baotuan.management.commands.load_demo import Command as LoadDemo
from core.actors import SYSTEM
from registry.services.divisions import load_divisions


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("Short-pw1", id="eleven_or_fewer_case"),
        pytest.param("password1234", id="common_case"),
        pytest.param("qwertyuiop123", id="common_long_case"),
        pytest.param("202212312359", id="all_digits_case"),
        pytest.param("xujiadai-clerk", id="like_the_username_case"),
    ],
)
def test_weak_passwords_are_refused(db, password):
    user = User(username="xujiadai-clerk", display_name="徐家埭村填报员")

    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted(db):
    validate_password("paddy-field-lantern", User(username="clerk"))


def test_the_admin_refuses_a_short_password(client, db):
    root = User.objects.create_superuser("root", password="a-long-root-password")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newclerk",
            "password1": "tiny-pw",
            "password2": "tiny-pw",
            "usable_password": "true",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(username="newclerk").exists()


def test_a_new_password_is_random_and_valid(db):
    passwords = {new_password() for _ in range(50)}

    assert len(passwords) == 50
    for password in passwords:
        validate_password(password)
        assert len(password) >= 12


def test_give_password_sets_one_only_when_there_is_none_or_on_reset(db):
    user = User.objects.create(username="someone")  # no password yet
    first = give_password(user)
    user.save()

    assert first
    assert user.check_password(first)
    assert give_password(user) is None
    assert user.check_password(first)
    second = give_password(user, reset=True)
    assert second != first
    assert user.check_password(second)


@pytest.fixture
def demo_scopes(db):
    """What the demo users' grants point at: three counties and the organisations."""
    load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
    registry.load_organisations()


def test_each_demo_account_gets_its_own_password(demo_scopes):
    accounts = registry.load_users()

    passwords = [password for _username, password, _role in accounts]
    assert len(accounts) >= 6
    assert len(set(passwords)) == len(passwords)
    assert "baotuan2022" not in passwords  # the one password all demos shared
    for username, password, _role in accounts:
        user = User.objects.get(username=username)
        assert user.check_password(password)
        validate_password(password, user)


def test_a_second_load_keeps_the_passwords(demo_scopes):
    accounts = registry.load_users()
    hashes = dict(User.objects.values_list("username", "password"))

    again = registry.load_users()

    assert [(name, password) for name, password, _role in again] == [
        (name, None) for name, _password, _role in accounts
    ]
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_a_new_demo_database_gets_new_passwords(demo_scopes):
    first = {name: password for name, password, _role in registry.load_users()}
    User.objects.all().delete()

    second = {name: password for name, password, _role in registry.load_users()}

    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)


def test_reset_passwords_gives_every_account_a_new_one(demo_scopes):
    accounts = registry.load_users()

    reset = LoadDemo.reset(registry.load_users())

    assert [(name, role) for name, _pw, role in reset] == [
        (name, role) for name, _pw, role in accounts
    ]
    for (name, old, _role), (_name, new, _r) in zip(accounts, reset, strict=True):
        user = User.objects.get(username=name)
        assert new != old
        assert user.check_password(new)
        assert not user.check_password(old)
