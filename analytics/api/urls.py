from rest_framework.routers import SimpleRouter

from analytics.api import rankings, views

app_name = "analytics-api"

router = SimpleRouter()
router.register("indicators", views.IndicatorsViewSet, basename="indicators")
router.register("ranking-schemes", rankings.RankingSchemeViewSet, basename="ranking-schemes")
router.register("ranking-snapshots", rankings.RankingSnapshotViewSet, basename="ranking-snapshots")

urlpatterns = router.urls
