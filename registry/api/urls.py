from rest_framework.routers import SimpleRouter

from registry.api import views

app_name = "registry-api"

# SimpleRouter: no API root view (it would clash with other apps' routers at the same prefix).
router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("villages", views.VillageViewSet, basename="village")
router.register("stats", views.VillageStatViewSet, basename="stat")
router.register("thresholds", views.WeakVillageThresholdViewSet, basename="threshold")
router.register("organisations", views.OrganisationViewSet, basename="organisation")

urlpatterns = router.urls
