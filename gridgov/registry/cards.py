from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gridgov.accounts.scope import restrict
from gridgov.areas.cards import Fact, provider
from gridgov.registry.models import Household
from gridgov.registry.queries import houses_for, organizations_for, people_for


@provider
def registry_facts(area, user) -> list[Fact]:
    within = area.code
    people = people_for(user, within=within).aggregate(
        n=Count("id"), floating=Count("id", filter=Q(registration="floating"))
    )
    return [
        Fact(_("People"), people["n"], "people"),
        Fact(_("Floating population"), people["floating"], "floating"),
        Fact(
            _("Households"),
            restrict(Household.objects.all(), user, within=within).count(),
            "households",
        ),
        Fact(_("Houses"), houses_for(user, within=within).count(), "houses"),
        Fact(_("Organizations"), organizations_for(user, within=within).count(), "organizations"),
    ]
