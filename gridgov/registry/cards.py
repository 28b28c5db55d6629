from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gridgov.accounts.scope import code_prefix_q, restrict
from gridgov.areas.cards import Fact, provider
from gridgov.registry.models import Household
from gridgov.registry.queries import houses_for, organizations_for, people_for


@provider
def registry_facts(area, user) -> list[Fact]:
    within = code_prefix_q("area_code", [area.code])
    people = (
        people_for(user)
        .filter(within)
        .aggregate(n=Count("id"), floating=Count("id", filter=Q(registration="floating")))
    )
    return [
        Fact(_("People"), people["n"], "people"),
        Fact(_("Floating population"), people["floating"], "floating"),
        Fact(
            _("Households"),
            restrict(Household.objects.all(), user).filter(within).count(),
            "households",
        ),
        Fact(_("Houses"), houses_for(user).filter(within).count(), "houses"),
        Fact(_("Organizations"), organizations_for(user).filter(within).count(), "organizations"),
    ]
