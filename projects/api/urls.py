from rest_framework.routers import SimpleRouter

app_name = "projects-api"

router = SimpleRouter()

urlpatterns = router.urls
