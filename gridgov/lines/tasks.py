from gridgov.lines.tasks_disputes import *  # noqa
