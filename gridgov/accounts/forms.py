from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from gridgov.accounts import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, with failed attempts counted and held back by the accounts service."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = services.login(self.request, username, password)
            except services.LoginThrottled:
                raise forms.ValidationError(
                    _("Too many failed logins. Wait a while and try again."), code="throttled"
                ) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
