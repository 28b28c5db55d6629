"""One list of editable fields per registry object (registry/fields.py), read by the form, the API
schema, the import and the service; one edit view shape (edit_views.EditView) for every kind."""

import pytest
from django.urls import get_resolver

from gridgov.registry import edit_views, fields, forms
from gridgov.registry.api import PersonIn
from gridgov.registry.importing.templates import TEMPLATES
from gridgov.registry.models import Organization, Place

FORMS = {
    "person": (forms.PersonForm, {"house_code"}),
    "building": (forms.BuildingForm, set()),
    "house": (forms.HouseForm, set()),
    "organization": (forms.OrganizationForm, set()),
    "place": (forms.PlaceForm, set()),
    "key_population": (forms.TagForm, set()),
}
# Import columns that find or place a row rather than set a field of it.
IMPORT_EXTRAS = {
    "people": {"house_code", "relation", "since"},
    "buildings": set(),
    "houses": {"building_code", "unit", "floor", "room"},
    "organizations": {"house_code"},
}
IMPORTED = {"people": "person", "buildings": "building", "houses": "house"}


@pytest.mark.parametrize("kind", list(fields.EDITABLE))
def test_each_form_shows_exactly_the_editable_fields(kind):
    form_class, extras = FORMS[kind]
    assert set(form_class().fields) == set(fields.EDITABLE[kind]) | extras


def test_the_api_schema_takes_the_editable_fields():
    assert set(PersonIn.model_fields) == set(fields.PERSON) | {"house_code"}


@pytest.mark.parametrize("entity", list(TEMPLATES))
def test_each_import_sets_the_editable_fields(entity):
    kind = IMPORTED.get(entity, "organization")
    columns = {c.field for c in TEMPLATES[entity]}
    assert columns == set(fields.EDITABLE[kind]) | IMPORT_EXTRAS[entity]


def test_every_edit_route_is_an_edit_view():
    registry = get_resolver().url_patterns
    names = {}

    def walk(patterns, namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, p.namespace or namespace)
            elif namespace == "registry" and p.name:
                names[p.name] = getattr(p.callback, "view_class", None)

    walk(registry)
    edits = {n: v for n, v in names.items() if n.endswith(("_new", "_edit"))}
    edits.update({n: names[n] for n in ("house", "person_tag")})
    assert len(edits) == 10
    for name, view in edits.items():
        assert view is not None and issubclass(view, edit_views.EditView), name


def test_the_form_saves_every_editable_field(homes, users, client_for):
    """Through the one view and the one service, what a form sends is what is stored."""
    op = client_for(users["op_a"])
    org = {
        "name": "甲街道便利店",
        "credit_code": "",
        "kind": "shop",
        "industry": "零售",
        "legal_representative": "赵老板",
        "phone": "037166668888",
        "address": "经八路2号",
        "staff_count": "3",
        "security_officer": "钱",
        "fire_officer": "孙",
        "key_unit": "on",
        "state": "suspended",
        "lon": "113.605",
        "lat": "34.7175",
    }
    assert op.post("/registry/organizations/new/", org).status_code == 302
    saved = Organization.objects.get(name="甲街道便利店")
    assert (saved.state, saved.key_unit, saved.staff_count, saved.phone) == (
        "suspended",
        True,
        3,
        "037166668888",
    )
    place = {
        "name": "甲街道井盖",
        "kind": "facility",
        "category_code": "C0101",
        "component_code": "4101050101000001",
        "state": "damaged",
        "note": "松动",
        "lon": "113.605",
        "lat": "34.7175",
    }
    assert op.post("/registry/places/new/", place).status_code == 302
    saved = Place.objects.get(name="甲街道井盖")
    assert (saved.state, saved.component_code, saved.note) == (
        "damaged",
        "4101050101000001",
        "松动",
    )
    # Outside the scope: the same 404 as a missing one.
    other = homes["place_b"]
    assert op.get(f"/registry/places/{other.pk}/edit/").status_code == 404
