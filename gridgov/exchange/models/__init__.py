"""Models of the exchange part: client systems and Open311; the 12345 work-order adapter."""

from gridgov.exchange.models.catalogue import *  # noqa: F403
from gridgov.exchange.models.classify import *  # noqa: F403
from gridgov.exchange.models.clients import *  # noqa: F403
from gridgov.exchange.models.federation import *  # noqa: F403
from gridgov.exchange.models.hotline import *  # noqa: F403
from gridgov.exchange.models.open311 import *  # noqa: F403
from gridgov.exchange.models.webhooks import *  # noqa: F403
