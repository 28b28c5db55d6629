from gridgov.lines.tasks_populations import *  # noqa
