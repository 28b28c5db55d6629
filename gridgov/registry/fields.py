"""What a user edits on each registry object: one list per object, in the order a form shows it.

Each list is read by the object's form (registry/forms.py: a form declares exactly these fields,
plus named extras such as a house code, or its class is refused), its service (the fields it
writes), the Excel/CSV import (the fields a row sets) and the API schema of the object
(tests/test_fields.py holds them equal). Fields a system sets (area codes, derived birth dates,
masked and index columns) are in none of them.
"""

PERSON = (
    "name",
    "id_number",
    "other_id_type",
    "other_id",
    "former_name",
    "ethnicity",
    "phone",
    "registration",
    "nationality",
    "visa_expiry",
    "education",
    "occupation",
    "employer",
    "marital_status",
    "political_status",
)
# The identifiers that find a known person: an import never overwrites them.
PERSON_IDENTIFIERS = ("id_number", "other_id_type", "other_id")

BUILDING = (
    "code",
    "name",
    "address",
    "use",
    "units",
    "floors",
    "rooms_per_floor",
    "built_year",
    "manager",
    "lon",
    "lat",
)

HOUSE = ("use", "state", "floor_area", "owner_name")

ORGANIZATION = (
    "name",
    "credit_code",
    "kind",
    "industry",
    "legal_representative",
    "phone",
    "address",
    "staff_count",
    "security_officer",
    "fire_officer",
    "key_unit",
    "state",
    "lon",
    "lat",
)

PLACE = ("name", "kind", "category_code", "component_code", "state", "note", "lon", "lat")

KEY_POPULATION = ("category", "level", "visit_every_days", "notes")

EDITABLE = {
    "person": PERSON,
    "building": BUILDING,
    "house": HOUSE,
    "organization": ORGANIZATION,
    "place": PLACE,
    "key_population": KEY_POPULATION,
}
