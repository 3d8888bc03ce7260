# The public showcase (比拼晾晒): no login.
app_name = "showcase"
urlpatterns = []
