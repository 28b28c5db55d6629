from gridgov.patrol.tasks_work import *  # noqa
from gridgov.patrol.tasks_tracks import *  # noqa
