"""The template filter of gridgov/masking.py: `{% load masking %}` then `{{ value|mask:"phone" }}`
(kinds: id, phone, name, hidden)."""

from django import template

from gridgov import masking

register = template.Library()


@register.filter(name="mask")
def mask_filter(value, kind: str) -> str:
    return masking.mask(value, kind)
