from rest_framework.routers import SimpleRouter

from grids.api import views

app_name = "grids-api"

router = SimpleRouter()
router.register("households", views.HouseholdViewSet, basename="household")
router.register("people", views.PersonViewSet, basename="person")
router.register("grids", views.GridViewSet, basename="grid")
router.register("micro-grids", views.MicroGridViewSet, basename="micro-grid")
router.register("grid-workers", views.GridWorkerViewSet, basename="grid-worker")
router.register("grid-matters", views.MatterViewSet, basename="matter")
router.register("screening-tasks", views.ScreeningTaskViewSet, basename="screening-task")
router.register("screening-entries", views.ScreeningEntryViewSet, basename="screening-entry")
router.register("personal-data-reveals", views.RevealLogViewSet, basename="reveal")

urlpatterns = router.urls
