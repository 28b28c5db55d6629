"""Models of field work: patrols, positions and tracks; tasks, visits and the diary."""

from gridgov.patrol.models.tracks import *  # noqa: F403
from gridgov.patrol.models.work import *  # noqa: F403
