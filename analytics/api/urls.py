from rest_framework.routers import SimpleRouter

from analytics.api import views

app_name = "analytics-api"

router = SimpleRouter()
router.register("indicators", views.IndicatorsViewSet, basename="indicators")
router.register("programmes", views.ProgrammeViewSet, basename="programmes")
router.register("ranking-schemes", views.RankingSchemeViewSet, basename="ranking-schemes")
router.register("ranking-snapshots", views.RankingSnapshotViewSet, basename="ranking-snapshots")
router.register("scenarios", views.ScenarioViewSet, basename="scenarios")

urlpatterns = router.urls
