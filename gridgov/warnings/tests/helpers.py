"""Drafting and issuing in one go for tests."""

from gridgov.warnings import services
from gridgov.warnings.services import WarningInput


def issued(user, area_code: str, colour: str = "red", targets=None, **fields):
    data = WarningInput(
        event=fields.pop("event", "暴雨"),
        colour=colour,
        headline=fields.pop("headline", "暴雨红色预警"),
        instruction=fields.pop("instruction", "停止户外作业"),
        target_codes=targets if targets is not None else [area_code],
        **fields,
    )
    warning = services.create_draft(acting_user=user, area_code=area_code, data=data)
    warning = services.approve(warning, acting_user=user)
    return services.issue(warning, acting_user=user)
