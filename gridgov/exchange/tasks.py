from gridgov.exchange.tasks_hotline import *  # noqa
from gridgov.exchange.tasks_catalogue import *  # noqa
from gridgov.exchange.tasks_federation import *  # noqa
