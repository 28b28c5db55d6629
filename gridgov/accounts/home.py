"""Where each role lands after signing in: people who work cases start on their to-do queue,
leaders on the cockpit, auditors on the logs, the others on the console map. On a phone, the
roles the phone app serves (grid members, community staff, leaders) land on it instead."""

import re

from django.http import HttpRequest
from django.shortcuts import redirect

from gridgov.accounts.permissions import Role

HOME_BY_ROLE = {
    Role.GRID_MEMBER: "cases:queue",
    Role.COMMUNITY_STAFF: "cases:queue",
    Role.DEPARTMENT_HANDLER: "cases:queue",
    Role.LEADER: "dashboard:cockpit",
    Role.AUDITOR: "audit:changes",
}
PHONE_APP_ROLES = {Role.GRID_MEMBER, Role.COMMUNITY_STAFF, Role.LEADER}
PHONE_AGENT = re.compile(r"Mobile|Android|iPhone|iPod|HarmonyOS|OpenHarmony", re.IGNORECASE)


def on_a_phone(request: HttpRequest) -> bool:
    """The browser's own word where it gives one (the `Sec-CH-UA-Mobile` client hint), else its
    user agent."""
    hint = request.headers.get("Sec-CH-UA-Mobile")
    if hint is not None:
        return hint.strip() == "?1"
    return bool(PHONE_AGENT.search(request.headers.get("User-Agent", "")))


def home(request):
    """Signed-out visitors get the public portal's home (staff sign in from it)."""
    if not request.user.is_authenticated:
        from gridgov.portal.views import home as portal_home

        return portal_home(request)
    if request.user.role in PHONE_APP_ROLES and on_a_phone(request):
        return redirect("mobile:home")
    return redirect(HOME_BY_ROLE.get(request.user.role, "areas:console"))
