from rest_framework.routers import SimpleRouter

from alliances.api import governance, views

app_name = "alliances-api"

# SimpleRouter: no API root view (it would clash with other apps' routers at the same prefix).
router = SimpleRouter()
router.register("alliances", views.AllianceViewSet, basename="alliance")
router.register("consortium-types", views.ConsortiumTypeViewSet, basename="consortium-type")
router.register("consortia", views.ConsortiumViewSet, basename="consortium")
router.register("mechanisms", views.MechanismViewSet, basename="mechanism")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("meeting-series", governance.MeetingSeriesViewSet, basename="meeting-series")
router.register("meetings", governance.MeetingViewSet, basename="meeting")
router.register("agenda-items", governance.AgendaItemViewSet, basename="agenda-item")
router.register("attendance", governance.AttendanceViewSet, basename="attendance")
router.register("minutes", governance.MinutesViewSet, basename="minutes")
router.register("decisions", governance.DecisionViewSet, basename="decision")
router.register("votes", governance.VoteViewSet, basename="vote")
router.register("duties", governance.DutyViewSet, basename="duty")

urlpatterns = router.urls
