from rest_framework.routers import SimpleRouter

from points.api import views

app_name = "points-api"

router = SimpleRouter()
router.register("points-schemes", views.SchemeViewSet, basename="points-scheme")
router.register("points-entries", views.EntryViewSet, basename="points-entry")
router.register("points-appeals", views.AppealViewSet, basename="points-appeal")
router.register("points-notices", views.NoticeViewSet, basename="points-notice")
router.register("points-store-items", views.StoreItemViewSet, basename="points-store-item")
router.register("points-redemptions", views.RedemptionViewSet, basename="points-redemption")

urlpatterns = router.urls
