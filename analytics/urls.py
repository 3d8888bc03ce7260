# Dashboards (login).
app_name = "analytics"
urlpatterns = []
