from rest_framework.routers import SimpleRouter

from audit.api import views

app_name = "audit-api"

router = SimpleRouter()
router.register("changes", views.ObjectChangeViewSet, basename="change")

urlpatterns = router.urls
