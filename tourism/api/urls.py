from rest_framework.routers import SimpleRouter

from tourism.api import views

app_name = "tourism-api"

router = SimpleRouter()
router.register("tourism/spots", views.SpotViewSet, basename="spot")
router.register("tourism/grades", views.GradeAwardViewSet, basename="grade")
router.register("tourism/assessments", views.AssessmentViewSet, basename="assessment")
router.register("tourism/associations", views.AssociationViewSet, basename="association")
router.register("tourism/operators", views.OperatorViewSet, basename="operator")
router.register("tourism/routes", views.RouteViewSet, basename="route")
router.register("tourism/monthly-figures", views.MonthlyFigureViewSet, basename="monthly-figure")
router.register("tourism/cumulative-figures", views.CumulativeFigureViewSet, basename="cumulative")

urlpatterns = router.urls
