from gridgov.patrol.tasks_tracks import *  # noqa
