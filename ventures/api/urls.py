from rest_framework.routers import SimpleRouter

from ventures.api import views

app_name = "ventures-api"

# SimpleRouter: no API root view (it would clash with other apps' routers at the same prefix).
router = SimpleRouter()
router.register("ventures", views.VentureViewSet, basename="venture")
router.register("stakes", views.StakeViewSet, basename="stake")
router.register("contributions", views.ContributionViewSet, basename="contribution")
router.register("income-receipts", views.IncomeReceiptViewSet, basename="income-receipt")
router.register("assets", views.AssetViewSet, basename="asset")
router.register("tenants", views.TenantViewSet, basename="tenant")
router.register("runs", views.DistributionRunViewSet, basename="run")
router.register("distribution-lines", views.DistributionLineViewSet, basename="line")
router.register("notices", views.PublicNoticeViewSet, basename="notice")

urlpatterns = router.urls
