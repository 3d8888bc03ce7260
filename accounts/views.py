"""Sign in and sign out. django-axes locks a username at an address after failures
(settings: AXES_*); LoginRateThrottle caps the attempts from one address, whatever names it
tries (each attempt costs a password hash)."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from accounts.throttling import LoginRateThrottle

__all__ = ["LoginView", "LogoutView"]


class LoginView(auth_views.LoginView):
    """Django's login view with our template. AuthenticationForm passes the request to
    authenticate(), which django-axes needs to count failures per username and address."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not LoginRateThrottle().allow_request(request, self):
            # Refused before the form is validated: no password is hashed.
            form = self.get_form_class()(request)
            context = self.get_context_data(
                form=form,
                throttled=_(
                    "Too many sign-in attempts from this address. Wait a minute and try again."
                ),
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anyone out."""
