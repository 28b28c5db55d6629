"""Dispute parties from the registry: the desk form's search-as-you-type picker finds people and
organizations the user may change (the registry's own list filters, so its scope and search
rules), and a picked party comes back as `<kind>:<id>:<role>` (e.g. `person:12:applicant`).

What the picker shows is masked as the registry's lists mask it for every reader: a person's
name keeps its first character (`masking.mask_name`), the ID or passport number its stored
masked form; the area is named. Organizations are shown by their name. The service
(`services.disputes.register_dispute`) checks the ids through `restrict` again."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.lines.models import PartyRole
from gridgov.lines.services import disputes as ds
from gridgov.masking import mask_name
from gridgov.registry import queries as registry_queries
from gridgov.registry.filters import OrganizationFilter, PeopleFilter
from gridgov.registry.models import Organization, Person

PICKED = 10  # people and organizations offered at once, each
PERSON, ORG = "person", "org"
KINDS = (PERSON, ORG)

Link = tuple[str, int, str]  # (kind, id, role)


def parse(value: str) -> Link:
    """`person:12:applicant` → ("person", 12, "applicant"); ValidationError when malformed."""
    try:
        kind, pk, role = str(value).split(":")
        number = int(pk)
    except ValueError as exc:
        raise ValidationError(_("Unknown party.")) from exc
    if kind not in KINDS or role not in PartyRole.values or number <= 0:
        raise ValidationError(_("Unknown party."))
    return kind, number, role


def area_names(codes) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _person_label(p: Person, areas: dict[str, str]) -> str:
    parts = (
        mask_name(p.name),
        p.id_number_masked or p.other_id_masked,
        str(p.birth_date.year) if p.birth_date else "",
        areas.get(p.area_code, ""),
    )
    return " · ".join(x for x in parts if x)


def _org_label(o: Organization, areas: dict[str, str]) -> str:
    return " · ".join(x for x in (o.name, areas.get(o.area_code, "")) if x)


def search(user: User, text: str) -> list[dict]:
    """People (by name, or a whole ID or phone number) and organizations (by name) the user may
    change: [{ref, kind, kind_name, label}]."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    people = list(
        PeopleFilter({"q": text}, user, Action.CHANGE)
        .page_rows()
        .defer(*registry_queries.SEALED_FIELDS)[:PICKED]
    )
    orgs = list(OrganizationFilter({"q": text}, user, Action.CHANGE).page_rows()[:PICKED])
    areas = area_names([p.area_code for p in people] + [o.area_code for o in orgs])
    return [
        {
            "ref": f"{PERSON}:{p.pk}",
            "kind": PERSON,
            "kind_name": _("Person"),
            "label": _person_label(p, areas),
        }
        for p in people
    ] + [
        {
            "ref": f"{ORG}:{o.pk}",
            "kind": ORG,
            "kind_name": _("Organization"),
            "label": _org_label(o, areas),
        }
        for o in orgs
    ]


def _found(user: User, links: list[Link]) -> tuple[dict[int, Person], dict[int, Organization]]:
    people = restrict(
        Person.objects.filter(pk__in=[pk for kind, pk, _r in links if kind == PERSON]),
        user,
        Action.CHANGE,
    ).defer(*registry_queries.SEALED_FIELDS)
    orgs = restrict(
        Organization.objects.filter(pk__in=[pk for kind, pk, _r in links if kind == ORG]),
        user,
        Action.CHANGE,
    )
    return {p.pk: p for p in people}, {o.pk: o for o in orgs}


def chips(user: User, links: list[Link]) -> list[dict]:
    """The picked parties as the form shows them (those outside the scope left out):
    [{value, role_name, label}]."""
    people, orgs = _found(user, links)
    areas = area_names(
        [p.area_code for p in people.values()] + [o.area_code for o in orgs.values()]
    )
    out = []
    for kind, pk, role in links:
        target = people.get(pk) if kind == PERSON else orgs.get(pk)
        if target is None:
            continue
        label = (
            _person_label(target, areas)
            if isinstance(target, Person)
            else _org_label(target, areas)
        )
        out.append(
            {"value": f"{kind}:{pk}:{role}", "role_name": PartyRole(role).label, "label": label}
        )
    return out


def resolve(user: User, links: list[Link]) -> list[ds.PartyInput]:
    """The picked parties as the service takes them (the registry's name kept on the party);
    ValidationError when one is not a record the user may change."""
    people, orgs = _found(user, links)
    parties = []
    for kind, pk, role in links:
        if kind == PERSON and pk in people:
            parties.append(ds.PartyInput(name=people[pk].name[:120], role=role, person_id=pk))
        elif kind == ORG and pk in orgs:
            parties.append(ds.PartyInput(name=orgs[pk].name[:120], role=role, organization_id=pk))
        else:
            raise ValidationError(_("No such record in your area."))
    return parties
