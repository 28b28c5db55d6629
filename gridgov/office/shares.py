"""A case, a person or a warning shared into a conversation: stored as a kind and an id, shown
to each reader only when that reader may see the record (the scope's get_for_user), else as
"not available to you"."""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from gridgov.accounts.scope import get_for_user


@dataclass
class SharedLink:
    kind: str
    id: int
    available: bool
    label: str = ""
    url: str = ""


def _case(user, pk):
    from gridgov.cases.queries import get_case_for_user

    case = get_case_for_user(user, pk)
    return f"{case.number} {case.title}", reverse("cases:detail", args=[case.pk])


def _person(user, pk):
    from gridgov.registry.queries import get_person_for_user

    person = get_person_for_user(user, pk)
    return person.name, reverse("registry:person", args=[person.pk])


def _warning(user, pk):
    """Warnings belong to their own part; without it installed nothing is shared."""
    if not apps.is_installed("gridgov.warnings"):
        raise Http404
    model = apps.get_model("warnings", "Warning")
    warning = get_for_user(model.objects.all(), user, pk=pk)
    label = getattr(warning, "headline", "") or str(warning)
    try:
        url = reverse("warnings:detail", args=[warning.pk])
    except NoReverseMatch:
        url = ""
    return label, url


RESOLVERS = {"case": _case, "person": _person, "warning": _warning}


def resolve(user, kind: str, pk: int | None) -> SharedLink:
    """What `user` may see of a shared record: its label and link, or nothing."""
    resolver = RESOLVERS.get(kind)
    if resolver is None or pk is None:
        return SharedLink(kind, pk or 0, False)
    try:
        label, url = resolver(user, pk)
    except Http404:
        return SharedLink(kind, pk, False)
    return SharedLink(kind, pk, True, label, url)


def check_shareable(user, kind: str, pk: int) -> None:
    """The sender must see what they share."""
    if kind not in RESOLVERS:
        raise ValidationError({"share": _("Only a case, a person or a warning can be shared.")})
    if not resolve(user, kind, pk).available:
        raise ValidationError({"share": _("No such record in your scope.")})
