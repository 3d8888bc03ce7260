from rest_framework.routers import SimpleRouter

from projects.api import views

app_name = "projects-api"

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("project-partners", views.ProjectPartnerViewSet, basename="project-partner")
router.register("annual-plans", views.AnnualPlanViewSet, basename="annual-plan")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("progress-reports", views.ProgressReportViewSet, basename="progress-report")
router.register("income-records", views.IncomeRecordViewSet, basename="income-record")
router.register("project-attachments", views.ProjectAttachmentViewSet, basename="attachment")
router.register("cooperation-lists", views.CooperationListViewSet, basename="cooperation-list")
router.register(
    "cooperation-projects", views.CooperationProjectViewSet, basename="cooperation-project"
)

urlpatterns = router.urls
