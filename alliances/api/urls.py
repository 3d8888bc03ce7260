from rest_framework.routers import SimpleRouter

from alliances.api import views

app_name = "alliances-api"

# SimpleRouter: no API root view (it would clash with other apps' routers at the same prefix).
router = SimpleRouter()
router.register("alliances", views.AllianceViewSet, basename="alliance")
router.register("consortium-types", views.ConsortiumTypeViewSet, basename="consortium-type")
router.register("consortia", views.ConsortiumViewSet, basename="consortium")
router.register("mechanisms", views.MechanismViewSet, basename="mechanism")
router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns = router.urls
