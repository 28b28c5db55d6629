from gridgov.jobs.registry import job
from gridgov.warnings.escalation import escalate_silence
from gridgov.warnings.rules import run_due_rules


@job("warnings.escalate_silence")
def escalate(ctx) -> dict:
    """Re-notify, SMS, then tell the supervisor of silent recipients (every minute)."""
    return escalate_silence()


@job("warnings.run_rules")
def run_rules(ctx) -> dict:
    """The early-warning rules that are due (daily; each rule runs at its own interval)."""
    return run_due_rules()
