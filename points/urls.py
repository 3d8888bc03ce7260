from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/queue/", views.queue, name="queue"),
    path("<int:pk>/balances/", views.balances, name="balances"),
    path("<int:pk>/store/", views.store, name="store"),
    path("<int:pk>/import/", views.entry_import, name="import"),
    path("<int:pk>/household/<int:household>/", views.household_card, name="household_card"),
    path("public/notice/<str:code>/", views.public_notice, name="public_notice"),
    path("public/notice/<str:code>/appeal/", views.public_appeal, name="public_appeal"),
    path("public/<int:pk>/ranking/", views.public_ranking, name="public_ranking"),
]
