"""What the audit pages show for the keys stored in the logs: a model field's verbose name for a
field, a translated purpose, a model's verbose name for an object type. Unknown keys show as is."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

PURPOSES = {
    "view": _("viewing"),
    "export": _("export"),
    "match": _("transfer matching"),
}

# Keys logged that are no model field.
EXTRA_FIELDS = {"key_population": _("key population membership")}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def field_label(object_type: str, field: str) -> str:
    if field in EXTRA_FIELDS:
        return str(EXTRA_FIELDS[field])
    model = _model(object_type)
    try:
        return str(model._meta.get_field(field).verbose_name) if model else field
    except FieldDoesNotExist:
        return field


def type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def purpose_label(purpose: str) -> str:
    return str(PURPOSES.get(purpose, purpose))
