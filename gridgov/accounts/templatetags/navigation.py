"""The tabs of a section with several pages (field work, business lines), by the user's rights."""

from django import template

from gridgov.context import section_tabs as tabs_for

register = template.Library()


@register.inclusion_tag("section_tabs.html", takes_context=True)
def section_tabs(context) -> dict:
    request = context.get("request")
    nav = context.get("nav") or ""
    return {"tabs": tabs_for(request, nav) if request is not None else []}
