"""Departments and staff assignments follow their area when it moves (user scopes point at the
areas themselves and follow on their own)."""

from gridgov.accounts.models import Department, StaffAssignment, User
from gridgov.areas.services import log_recoded, recode_prefix, recodes_areas


@recodes_areas
def recode_accounts(old: str, new: str, *, actor: User) -> set[type]:
    for model in (Department, StaffAssignment):
        log_recoded(
            model, recode_prefix(model.objects.all(), "area_code", old, new), old, new, actor=actor
        )
    return {Department, StaffAssignment}
