"""Where each role lands after signing in: people who work cases start on their to-do queue,
leaders on the cockpit, auditors on the logs, the others on the console map."""

from django.shortcuts import redirect

from gridgov.accounts.permissions import Role

HOME_BY_ROLE = {
    Role.GRID_MEMBER: "cases:queue",
    Role.COMMUNITY_STAFF: "cases:queue",
    Role.DEPARTMENT_HANDLER: "cases:queue",
    Role.LEADER: "dashboard:cockpit",
    Role.AUDITOR: "audit:changes",
}


def home(request):
    """Signed-out visitors get the public portal's home (staff sign in from it)."""
    if not request.user.is_authenticated:
        from gridgov.portal.views import home as portal_home

        return portal_home(request)
    return redirect(HOME_BY_ROLE.get(request.user.role, "areas:console"))
