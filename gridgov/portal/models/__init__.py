"""Models of the portal part: citizens (by phone), their reports' public side, followers,
subscriptions, codes sent by SMS, bans, the public category list and the grids' public cards."""

from gridgov.portal.models.portal import (
    AreaSubscription,
    Citizen,
    DistrictSettings,
    Follower,
    FollowKind,
    GridContact,
    Moderation,
    PhoneCode,
    PortalReport,
    PublicCategory,
)
from gridgov.portal.models.relay import (
    RelayAction,
    RelayActionKind,
    RelayedAction,
    RelayedReport,
    RelayOut,
    RelayPeer,
    RelayRequest,
    RelayState,
)

__all__ = [
    "AreaSubscription",
    "Citizen",
    "DistrictSettings",
    "FollowKind",
    "Follower",
    "GridContact",
    "Moderation",
    "PhoneCode",
    "PortalReport",
    "PublicCategory",
    "RelayAction",
    "RelayActionKind",
    "RelayOut",
    "RelayPeer",
    "RelayRequest",
    "RelayState",
    "RelayedAction",
    "RelayedReport",
]
