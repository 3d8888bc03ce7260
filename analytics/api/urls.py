from rest_framework.routers import SimpleRouter

from analytics.api import views

app_name = "analytics-api"

router = SimpleRouter()
router.register("indicators", views.IndicatorsViewSet, basename="indicators")

urlpatterns = router.urls
