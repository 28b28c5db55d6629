"""Where each role lands after signing in: people who work cases start on their to-do queue,
leaders on the cockpit, auditors on the logs, the others on the console map."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from gridgov.accounts.permissions import Role

HOME_BY_ROLE = {
    Role.GRID_MEMBER: "cases:queue",
    Role.COMMUNITY_STAFF: "cases:queue",
    Role.DEPARTMENT_HANDLER: "cases:queue",
    Role.LEADER: "dashboard:cockpit",
    Role.AUDITOR: "audit:changes",
}


@login_required
def home(request):
    return redirect(HOME_BY_ROLE.get(request.user.role, "areas:console"))
