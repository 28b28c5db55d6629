"""Models of the business lines: disputes and hazards; special populations and rentals."""

from gridgov.lines.models.alerts import *  # noqa: F403
from gridgov.lines.models.disputes_hazards import *  # noqa: F403
from gridgov.lines.models.populations_rentals import *  # noqa: F403
