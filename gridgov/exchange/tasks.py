from gridgov.exchange.tasks_hotline import *  # noqa
