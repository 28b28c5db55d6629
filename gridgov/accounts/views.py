from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.accounts import filters, services
from gridgov.accounts.forms import ThrottledAuthenticationForm, UserForm
from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.accounts.system import PREFIX as SYSTEM_PREFIX


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def _users_for(user):
    """The users a manager keeps; system accounts are kept by code, so they are not among them."""
    return (
        restrict(User.objects.all(), user, Action.MANAGE_USERS)
        .exclude(username__startswith=SYSTEM_PREFIX)
        .distinct()
    )


@login_required
def user_list(request):
    if not services.may_manage_users(request.user):
        raise PermissionDenied
    listing = filters.UserFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    data = getattr(listing, "cleaned_data", {})
    return render(
        request,
        "accounts/user_list.html",
        {
            "nav": "users",
            "listing": listing,
            "page": page,
            "q": data.get("q", ""),
            "role": data.get("role", ""),
            "roles": Role.choices,
        },
    )


def _departments(user):
    return restrict(Department.objects.all(), user, Action.VIEW)


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request):
    if not services.may_manage_users(request.user):
        raise PermissionDenied
    form = UserForm(
        request.POST or None,
        departments=_departments(request.user),
        creating=True,
        granter=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                scope_codes=data["scope"],
                full_name=data["full_name"],
                phone=data["phone"],
                department=data["department"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("accounts:user_edit", user_id=user.pk)
    return render(
        request, "accounts/user_form.html", {"nav": "users", "form": form, "title": _("New user")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id: int):
    target = get_for_user(_users_for(request.user), request.user, Action.MANAGE_USERS, pk=user_id)
    initial = {
        "full_name": target.full_name,
        "role": target.role,
        "phone": target.phone,
        "department": target.department_id,
        "scope": " ".join(target.scope_areas.values_list("code", flat=True)),
        "is_active": target.is_active,
    }
    form = UserForm(
        request.POST or None,
        initial=initial,
        departments=_departments(request.user),
        granter=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.update_user(
                    target,
                    actor=request.user,
                    scope_codes=data["scope"],
                    full_name=data["full_name"],
                    role=data["role"],
                    phone=data["phone"],
                    department=data["department"],
                    is_active=data["is_active"],
                )
                if data["password"]:
                    services.set_password(target, data["password"], actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {
            "nav": "users",
            "form": form,
            "target": target,
            "tokens": services.tokens_of(target, actor=request.user),
            "title": _("Edit user %(name)s") % {"name": target.username},
        },
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """One's own account: change the password (an expired one sends the user here), list and
    revoke one's API tokens."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_password(request.user, form.cleaned_data["new_password1"], actor=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(
            request, _("Your password was changed. Your API tokens were revoked with it.")
        )
        return redirect("/")
    return render(
        request,
        "accounts/account.html",
        {
            "nav": "account",
            "form": form,
            "password_help": password_validators_help_texts(),
            "tokens": services.tokens_of(request.user, actor=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    """Revoke a token: one's own, or one of a user the actor manages (from the user's page)."""
    token = services.revoke_token(token_id, actor=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = "accounts:account"
    return redirect(back)
