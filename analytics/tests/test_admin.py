"""The analytics admin: schemes, snapshots and entries render read-only; nothing can be added."""

import pytest

from analytics.models import RankingScheme, RankingSnapshot


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw")


@pytest.mark.parametrize("model", ["rankingscheme", "rankingsnapshot", "rankingentry"])
def test_change_lists_render_without_an_add_button(client, superuser, ranked, model):
    client.force_login(superuser)
    response = client.get(f"/admin/analytics/{model}/")

    assert response.status_code == 200
    assert f"/admin/analytics/{model}/add/" not in response.content.decode()


def test_a_frozen_snapshot_cannot_be_changed_through_the_admin(client, superuser, ranked):
    client.force_login(superuser)
    snapshot = RankingSnapshot.objects.first()
    scheme_ = RankingScheme.objects.first()

    assert client.get(f"/admin/analytics/rankingsnapshot/{snapshot.pk}/change/").status_code == 200
    assert client.get(f"/admin/analytics/rankingscheme/{scheme_.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/analytics/rankingsnapshot/{snapshot.pk}/change/", {"version": 9}
    )
    assert response.status_code == 403
    assert RankingSnapshot.objects.get(pk=snapshot.pk).version == snapshot.version
