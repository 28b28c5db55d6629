"""Registry rows follow their area when it moves in the tree (one change-log line per kind)."""

from gridgov.accounts.models import User
from gridgov.areas.services import log_recoded, recode_prefix, recodes_areas
from gridgov.registry.models import (
    Building,
    House,
    Household,
    KeyPopulationTag,
    Organization,
    Person,
    Place,
    Residence,
    TransferRequest,
    Visit,
)

_AREA_CODED = (
    Building,
    House,
    Person,
    Household,
    Residence,
    KeyPopulationTag,
    Visit,
    Organization,
    Place,
)


@recodes_areas
def recode_registry(old: str, new: str, *, actor: User) -> set[type]:
    for model in _AREA_CODED:
        log_recoded(
            model, recode_prefix(model.objects.all(), "area_code", old, new), old, new, actor=actor
        )
    count = 0
    for field in ("holder_code", "target_code", "decider_code"):
        count += recode_prefix(TransferRequest.objects.all(), field, old, new)
    log_recoded(TransferRequest, count, old, new, actor=actor)
    return {*_AREA_CODED, TransferRequest}
