from gridgov.lines.tasks_populations import *  # noqa
from gridgov.lines.tasks_disputes import *  # noqa
