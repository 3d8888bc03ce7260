"""403, 404 and 500 pages are Chinese and in the site's layout (not Django's bare English)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults


def chinese(msgid: str) -> str:
    # Django's own catalogue may already translate a common msgid ("Page not found"); either
    # way the page must show Chinese, never the English msgid.
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid
    return text


@pytest.mark.django_db
def test_a_missing_page_is_chinese_in_the_site_layout(client, admin):
    for c in (client,):
        response = c.get("/no-such-page/")
        html = response.content.decode()
        assert response.status_code == 404
        assert chinese("Page not found") in html
        assert 'class="topbar"' in html
    client.force_login(admin)
    assert (
        chinese("Page not found") in client.get("/registry/villages/999999999999/").content.decode()
    )


@pytest.mark.django_db
def test_a_refused_page_is_chinese(rf_user_request):
    response = defaults.permission_denied(rf_user_request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权操作" in html
    assert 'class="topbar"' in html


def test_a_server_error_is_chinese_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert chinese("Server error") in html


@pytest.fixture
def rf_user_request(admin):
    request = RequestFactory().get("/somewhere/")
    request.user = admin
    return request
