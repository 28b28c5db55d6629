"""The page numbers a list's pager shows: the first and last pages, and those around the current
one, with gaps elided (used by templates/pager.html)."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> list:
    """Page numbers around the current page; `…` (Paginator.ELLIPSIS) marks a gap."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
