from gridgov.patrol.tasks_work import *  # noqa
