from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts import services
from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Role, may_grant
from gridgov.areas.models import Area


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


class UserForm(forms.Form):
    username = forms.RegexField(
        label=gettext_lazy("Username"), regex=r"^[\w.@+-]+$", max_length=150, required=False
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none(), required=False
    )
    scope = forms.CharField(
        label=gettext_lazy("Scope (area codes, separated by spaces)"), max_length=2000
    )
    password = forms.CharField(
        label=gettext_lazy("New password (empty: unchanged)"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, departments=None, creating: bool = False, granter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if granter is not None and not granter.is_superuser:
            # Offer only the roles the manager may give; the service refuses the others (403).
            self.fields["role"].widget.choices = [
                (value, label) for value, label in Role.choices if may_grant(granter.role, value)
            ]
        self.fields["department"].queryset = (
            departments if departments is not None else Department.objects.none()
        )
        self.creating = creating
        if creating:
            self.fields["username"].required = True
            self.fields["password"].required = True
            self.fields["password"].label = gettext_lazy("Password")
        else:
            del self.fields["username"]

    def clean_scope(self) -> list[str]:
        return sorted(set(self.cleaned_data["scope"].replace(",", " ").split()))

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password)
        return password


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


class DepartmentForm(forms.ModelForm):
    """A functional department; the area list holds the district, street and community areas
    inside the editor's scope (the service checks the scope again)."""

    area = AreaChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none())

    class Meta:
        model = Department
        fields = ["code", "name", "level", "area", "line", "phone", "active"]

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
