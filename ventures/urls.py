from django.urls import path

from ventures import views

app_name = "ventures"
urlpatterns = [
    path("", views.venture_list, name="venture_list"),
    path("<int:pk>/", views.venture_detail, name="venture_detail"),
    path("<int:pk>/runs/prepare/", views.run_prepare, name="run_prepare"),
    path("<int:pk>/income/add/", views.income_add, name="income_add"),
    path("<int:pk>/contributions/add/", views.contribution_add, name="contribution_add"),
    path("<int:pk>/statement/", views.holder_lookup, name="holder_lookup"),
    path("<int:pk>/holders/", views.holder_options, name="holder_options"),
    path("<int:pk>/statement/<str:holder>/", views.statement, name="statement"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    *[
        path(f"runs/<int:pk>/{action}/", views.run_action, {"action": action}, name=f"run_{action}")
        for action in ("approve", "post", "publish", "reverse", "discard")
    ],
    # 公示: public, no login.
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/print/", views.notice_print, name="notice_print"),
    path("notices/<int:pk>/notice.pdf", views.notice_pdf_download, name="notice_pdf"),
    path("notices/<int:pk>/notice.xlsx", views.notice_xlsx_download, name="notice_xlsx"),
]
