"""API authentication: no HTTP Basic, hashed and revocable tokens, 401 for the anonymous, and
request rates per address and per user (issue 10, item 6).

HTTP Basic ran PBKDF2 (≈300 ms) for every request that named a user, and django-axes keys its
lock on username + address, so a client rotating usernames burned the CPU unthrottled.
"""

import base64
import hashlib
import io
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.models import ApiToken, User
from accounts.services import issue_token, revoke_token
from audit.models import ObjectChange
from core.actors import SYSTEM
from core.errors import NotAllowed
from registry.models import Region

API = "/api/v1/"
VILLAGES = API + "villages/"


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters live in the cache: each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


def rates(**changed):
    """override_settings for REST_FRAMEWORK with some throttle rates changed."""
    framework = settings.REST_FRAMEWORK
    return override_settings(
        REST_FRAMEWORK={
            **framework,
            "DEFAULT_THROTTLE_RATES": {**framework["DEFAULT_THROTTLE_RATES"], **changed},
        }
    )


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def with_token(client, secret, url=VILLAGES, method="get", **kwargs):
    return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Token {secret}", **kwargs)


# --- HTTP Basic is gone --------------------------------------------------------------------


def test_a_basic_auth_header_no_longer_authenticates_and_hashes_no_password(client, clerk):
    assert clerk.check_password("pw-clerk")  # the right password

    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as authenticate:
        response = client.get(VILLAGES, HTTP_AUTHORIZATION=basic("clerk", "pw-clerk"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    authenticate.assert_not_called()  # no PBKDF2 for anyone who sends a username


def test_basic_authentication_is_not_configured():
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]

    assert "rest_framework.authentication.BasicAuthentication" not in classes
    assert classes[0] == "accounts.authentication.TokenAuthentication"


# --- Anonymous: 401 with WWW-Authenticate --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        pytest.param("get", VILLAGES, id="read_case"),
        pytest.param("post", API + "regions/", id="write_case"),
        pytest.param("get", API + "changes/", id="change_log_case"),
    ],
)
def test_an_anonymous_request_gets_401_with_www_authenticate(client, tree, method, url):
    response = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "status": 401,
            "detail": {"detail": "Authentication credentials were not provided."},
        }
    }


def test_a_signed_in_user_without_the_role_still_gets_403(client_for, tree, clerk):
    response = client_for(clerk).post(API + "regions/", {"code": "330482109", "name": "新仓镇"})

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_public_endpoints_stay_open_to_the_anonymous(client, db):
    assert client.get(API + "notices/").status_code == 200


# --- Tokens ---------------------------------------------------------------------------------


def test_a_token_authenticates_and_records_its_last_use(client, tree, clerk):
    token, secret = issue_token(clerk, "county sync", actor=SYSTEM)
    assert token.last_used is None

    response = with_token(client, secret)

    assert response.status_code == 200
    assert response.json()["count"] == 3
    token.refresh_from_db()
    assert token.last_used is not None
    assert "_auth_user_id" not in client.session  # a token makes no session


def test_a_token_write_needs_no_csrf_and_is_logged_as_its_user(tree, admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    _token, secret = issue_token(admin, "import robot", actor=SYSTEM)

    response = with_token(
        client,
        secret,
        API + "regions/",
        "post",
        data={"code": "330482109", "name": "新仓镇"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert Region.objects.filter(code="330482109").exists()
    change = ObjectChange.objects.get(content_type__model="region", object_pk="330482109")
    assert (change.changeset.user_id, change.changeset.source) == (admin.pk, "api")


def test_a_revoked_token_is_refused(client, tree, clerk):
    token, secret = issue_token(clerk, "old laptop", actor=SYSTEM)
    assert with_token(client, secret).status_code == 200

    assert revoke_token(token, actor=SYSTEM) is True
    assert revoke_token(token, actor=SYSTEM) is False  # twice changes nothing

    response = with_token(client, secret, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["detail"] == {"detail": "Invalid or revoked token."}


def test_a_disabled_users_token_is_refused(client, tree, clerk):
    _token, secret = issue_token(clerk, "sync", actor=SYSTEM)
    User.objects.filter(pk=clerk.pk).update(is_active=False)

    assert with_token(client, secret).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Token", id="no_secret_case"),
        pytest.param("Token a b", id="two_secrets_case"),
        pytest.param("Token not-a-token", id="unknown_case"),
        pytest.param("Token 密钥", id="not_ascii_case"),
        pytest.param("Token \xe5\xaf\x86", id="latin1_bytes_case"),  # as WSGI decodes them
        pytest.param("token " + "x" * 10_000, id="long_case"),
    ],
)
def test_a_malformed_or_unknown_token_is_refused(client, tree, clerk, header):
    issue_token(clerk, "sync", actor=SYSTEM)

    response = client.get(VILLAGES, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_is_stored_hashed_and_never_readable(tree, clerk):
    token, secret = issue_token(clerk, "sync", actor=SYSTEM)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table} WHERE id = %s", [token.pk])
        row = cursor.fetchone()
    assert not any(secret in str(value) for value in row)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    assert len(secret) >= 43  # 32 random bytes
    assert not any(secret in str(change.postchange_data) for change in ObjectChange.objects.all())


def test_each_token_is_new(tree, clerk):
    secrets = {issue_token(clerk, f"t{n}", actor=SYSTEM)[1] for n in range(5)}

    assert len(secrets) == 5


def test_a_user_manages_their_own_tokens_only(tree, clerk, other_clerk, admin):
    mine, _secret = issue_token(clerk, "mine", actor=clerk)

    with pytest.raises(NotAllowed):
        issue_token(other_clerk, "theirs", actor=clerk)
    with pytest.raises(NotAllowed):
        revoke_token(mine, actor=other_clerk)
    with pytest.raises(NotAllowed):
        issue_token(clerk, "no one", actor=None)
    assert revoke_token(mine, actor=admin) is True  # an unscoped city admin may


def test_create_token_prints_the_secret_once(client, tree, clerk):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_token", "clerk", "county sync", stdout=out, stderr=err)

    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (clerk, "county sync", secret[:8])
    assert "shown only now" in err.getvalue()
    assert with_token(client, secret).status_code == 200


def test_the_admin_lists_tokens_without_their_hash_and_revokes_them(client, tree, clerk):
    superuser = User.objects.create_superuser("root", password="a-long-root-password")
    token, secret = issue_token(clerk, "sync", actor=SYSTEM)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")

    listed = client.get(reverse("admin:accounts_apitoken_changelist"))
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    revoked = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert listed.status_code == detail.status_code == 200
    assert token.prefix in listed.content.decode()
    assert token.key_hash not in listed.content.decode() + detail.content.decode()
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert with_token(client, secret).status_code == 401


# --- Request rates --------------------------------------------------------------------------


def test_anonymous_requests_are_throttled_per_address(client, db):
    with rates(anon="3/minute"):
        answers = [client.get(API + "notices/").status_code for _ in range(4)]
        other_address = client.get(API + "notices/", REMOTE_ADDR="10.0.0.2").status_code
        # X-Forwarded-For is not trusted (NUM_PROXIES = 0): it cannot pick a new address.
        spoofed = client.get(API + "notices/", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code

    assert answers == [200, 200, 200, 429]
    assert other_address == 200
    assert spoofed == 429


def test_signed_in_requests_are_throttled_per_user(client, tree, clerk, other_clerk):
    _token, secret = issue_token(clerk, "sync", actor=SYSTEM)
    _other, other_secret = issue_token(other_clerk, "sync", actor=SYSTEM)

    with rates(user="2/minute"):
        answers = [with_token(client, secret).status_code for _ in range(3)]
        other_user = with_token(client, other_secret).status_code

    assert answers == [200, 200, 429]
    assert other_user == 200


def test_sign_in_attempts_are_throttled_per_address_whatever_the_username(client, db):
    with (
        rates(login="3/minute"),
        mock.patch.object(ModelBackend, "authenticate", autospec=True, return_value=None) as auth,
    ):
        answers = [
            client.post("/accounts/login/", {"username": f"user{n}", "password": "guess"})
            for n in range(5)
        ]

    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
    assert auth.call_count == 3  # refused attempts hash no password
    assert 'name="password"' in answers[-1].content.decode()


def test_the_sign_in_lock_and_the_rates_count_the_same_address(client, db):
    from accounts.throttling import client_address

    User.objects.create_user(username="alice", password="correct-horse-battery")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    # A forged X-Forwarded-For is not a new address (NUM_PROXIES = 0): still locked.
    forged = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )

    assert forged.status_code == 429
    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.throttling.client_address"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(request) == "10.0.0.7"
