# The public showcase (比拼晾晒): no login.
from django.urls import path

from analytics import showcase

app_name = "showcase"
urlpatterns = [
    path("", showcase.index, name="index"),
    path("ranking/<int:scheme>/<int:year>/", showcase.ranking, name="ranking"),
    path("method/<int:scheme>/", showcase.method, name="method"),
    path("routes/", showcase.routes, name="routes"),
    path("language/<str:code>/", showcase.language, name="language"),
]
