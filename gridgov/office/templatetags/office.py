"""The unread-messages badge of the top bar: one count over the index of unread flags."""

from django import template

from gridgov.office.services.messages import unread_total

register = template.Library()


@register.inclusion_tag("office/unread_badge.html", takes_context=True)
def office_unread(context) -> dict:
    user = context.get("user")
    count = unread_total(user) if user is not None and user.is_authenticated else 0
    return {"count": count}
