from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Role
from gridgov.accounts.scope import ScopedQuerySet, minimal_prefixes
from gridgov.crypto.fields import BlindIndexField, SealedCharField, SealedModel


class ForceType(models.TextChoices):
    """Grid forces: "one grid, four members" plus the X of "3+X"."""

    GRID_MEMBER = "grid_member", _("Grid member")
    GRID_LEADER = "grid_leader", _("Grid leader")
    POLICE = "police", _("Community police officer")
    # 网格督导员: oversees and guides the grid members' work (the stored value predates 监督员).
    SUPERVISOR = "supervisor", _("Grid inspector")
    MONITOR = "monitor", _("Grid supervisor")  # 网格监督员
    INSTRUCTOR = "instructor", _("Grid instructor (cadre sent down)")  # 网格指导员
    VOLUNTEER = "volunteer", _("Volunteer")
    OTHER = "other", _("Other force")


class DepartmentLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


class Department(models.Model):
    """A functional department (职能部门) that handles dispatched cases."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=DepartmentLevel.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="departments")
    area_code = models.CharField(max_length=20, db_index=True, editable=False)
    line = models.CharField(_("line of work"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["area_code", "code"]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager, with `.restrict(user, action)` like every scoped model."""


class User(SealedModel, AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.GRID_MEMBER
    )
    phone = SealedCharField(_("phone"), max_length=20, blank=True, kind="phone")
    phone_index = BlindIndexField(of="phone", db_index=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    scope_areas = models.ManyToManyField(
        "areas.Area", blank=True, related_name="scoped_users", verbose_name=_("data scope")
    )
    # For the maximum password age (GRIDGOV_PASSWORD_MAX_AGE_DAYS).
    password_changed_at = models.DateTimeField(
        _("password changed"), null=True, blank=True, default=timezone.now
    )

    personal_fields = ("phone",)
    change_log_exclude = ("password", "last_login", "password_changed_at", "phone_index")
    # A user is within another's scope when one of their scope areas is.
    scope_field = "scope_areas__code"

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def scope_codes(self) -> list[str]:
        """The user's scope as minimal code prefixes, read once per request."""
        return minimal_prefixes(self.scope_areas.values_list("code", flat=True))

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("scope_codes", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def audit_area_code(self) -> str:
        """Changes to a user are logged under their (first) scope area."""
        return self.scope_codes[0] if self.pk and self.scope_codes else ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class StaffAssignment(models.Model):
    """A staff member working a grid as one of the grid forces, from a date to a date."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="assignments")
    area_code = models.CharField(max_length=20, db_index=True, editable=False)
    force_type = models.CharField(_("force type"), max_length=16, choices=ForceType.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["area_code", "force_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "grid", "force_type"],
                condition=models.Q(until__isnull=True),
                name="one_open_assignment_per_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.area_code} ({self.get_force_type_display()})"


class ApiToken(models.Model):
    """A bearer token for machines; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"


class LoginFailure(models.Model):
    """A failed login, kept for throttling (by username and by address)."""

    username = models.CharField(max_length=150, db_index=True)
    client_ip = models.CharField(max_length=64, db_index=True)
    time = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.client_ip} {self.time:%Y-%m-%d %H:%M}"


# The second factors live in their own module; imported here so Django finds their models.
from gridgov.accounts.twofactor_models import (  # noqa: E402, F401
    RecoveryCode,
    RecoveryCodeDevice,
    SM3Device,
)
