"""Signing in and out through the web form, and django-axes' lock after five failures."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

LOGIN = "/accounts/login/"


@pytest.fixture
def alice(db):
    return User.objects.create_user(username="alice", password="correct-horse")


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_renders_the_form(client_en, db):
    response = client_en.get(reverse("accounts:login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'action="/accounts/login/"' in html


def test_login_with_the_right_password_signs_in_and_goes_home(client_en, alice):
    response = client_en.post(LOGIN, {"username": "alice", "password": "correct-horse"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _signed_in(client_en)


def test_login_follows_a_safe_next_url(client_en, alice):
    response = client_en.post(
        f"{LOGIN}?next=/registry/villages/",
        {"username": "alice", "password": "correct-horse", "next": "/registry/villages/"},
    )

    assert response["Location"] == "/registry/villages/"


def test_login_ignores_an_offsite_next_url(client_en, alice):
    response = client_en.post(
        LOGIN,
        {"username": "alice", "password": "correct-horse", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("home")


def test_login_with_a_wrong_password_shows_the_form_again(client_en, alice):
    response = client_en.post(LOGIN, {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="alert alert-error"' in response.content.decode()
    assert not _signed_in(client_en)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client_en, alice):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        refused = client_en.post(LOGIN, {"username": "alice", "password": "wrong"})
        assert refused.status_code == 200

    fifth = client_en.post(LOGIN, {"username": "alice", "password": "wrong"})
    right = client_en.post(LOGIN, {"username": "alice", "password": "correct-horse"})

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in right.templates]
    assert 'name="password"' not in right.content.decode()
    assert "15 minutes" in right.content.decode()
    assert not _signed_in(client_en)


def test_the_lock_is_per_username(client_en, alice):
    User.objects.create_user(username="bob", password="bobs-password")
    for _ in range(5):
        client_en.post(LOGIN, {"username": "alice", "password": "wrong"})

    response = client_en.post(LOGIN, {"username": "bob", "password": "bobs-password"})

    assert response.status_code == 302
    assert _signed_in(client_en)


def test_logout_is_a_post_and_signs_out(client_en, alice):
    client_en.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")

    refused = client_en.get(reverse("accounts:logout"))
    response = client_en.post(reverse("accounts:logout"))

    assert refused.status_code == 405
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not _signed_in(client_en)


def test_signed_in_pages_offer_a_logout_form(client_en, alice):
    client_en.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")

    html = client_en.get(reverse("home")).content.decode()

    assert '<form action="/accounts/logout/" method="post">' in html


def test_language_switch_posts_to_set_language(client_en, db):
    html = client_en.get(reverse("accounts:login")).content.decode()

    assert '<form class="lang-switch" action="/i18n/setlang/" method="post">' in html
    assert 'name="language" value="zh-hans"' in html
    assert 'name="language" value="en"' in html
