"""Template filters about the reporter details a case no longer keeps."""

from django import template

from gridgov.cases.services.anonymise import is_past_period

register = template.Library()


@register.filter
def reporter_anonymised(case) -> bool:
    """The case is finished, past the district's period and keeps no reporter details."""
    return is_past_period(case)
