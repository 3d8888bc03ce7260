"""Sign in and sign out. Throttling is django-axes' job (settings: AXES_*)."""

from django.contrib.auth import views as auth_views

__all__ = ["LoginView", "LogoutView"]


class LoginView(auth_views.LoginView):
    """Django's login view with our template. AuthenticationForm passes the request to
    authenticate(), which django-axes needs to count failures per username and address."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anyone out."""
