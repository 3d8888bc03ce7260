"""The landing page: an anonymous visitor at / lands on the public showcase (issue 10, item
14), whose header links to the login page; a signed-in user gets the home page."""

from django.urls import reverse


def test_an_anonymous_visitor_at_the_root_lands_on_the_showcase(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("showcase:index")


def test_the_showcase_links_to_the_login_page_not_back_to_the_root(client, db):
    html = client.get(reverse("showcase:index")).content.decode()

    assert f'class="showcase-signin" href="{reverse("accounts:login")}"' in html


def test_a_signed_in_user_gets_the_home_page(client, clerk):
    client.force_login(clerk)

    response = client.get("/")

    assert response.status_code == 200
    assert "home.html" in [t.name for t in response.templates]
