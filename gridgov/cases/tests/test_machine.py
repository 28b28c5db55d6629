"""A stateful property test: whatever sequence of actions people try, the case never reaches an
invalid state, a refused action changes nothing, and every accepted one adds exactly one entry."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gridgov.cases import machine, services
from gridgov.cases.models import AttachmentKind, Case, CaseRequest, Status
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import POINT_A, jpeg

ACTORS = ["member_a", "community", "op_a", "op_b", "district", "handler", "plumber", "leader"]


@pytest.mark.slow
def test_no_sequence_of_actions_breaks_a_case(loop):
    photos = [
        (check_photo(jpeg()), AttachmentKind.BEFORE),
        (check_photo(jpeg((0, 0, 200))), AttachmentKind.AFTER),
    ]

    class CaseMachine(RuleBasedStateMachine):
        @initialize()
        def report(self):
            self.case, _ = services.report_case(
                actor=loop["member_a"],
                channel="grid_member",
                description="井盖松动",
                category="E0102",
                lon=POINT_A[0],
                lat=POINT_A[1],
            )
            self.events = 1

        @rule(
            action=st.sampled_from(sorted(machine.TRANSITIONS)),
            who=st.sampled_from(ACTORS),
            grant=st.booleans(),
            with_photos=st.booleans(),
        )
        def act(self, action, who, grant, with_photos):
            before = Case.objects.get(pk=self.case.pk)
            pending = CaseRequest.objects.filter(case=before, status="pending").first()
            try:
                self.case = services.perform(
                    before,
                    action,
                    actor=loop[who],
                    note="说明",
                    department=loop["squad"],
                    hours=4,
                    request=pending,
                    grant=grant,
                    target=None,
                    lon=POINT_A[0],
                    lat=POINT_A[1],
                    photos=photos if with_photos else (),
                )
            except (ValidationError, PermissionDenied):
                after = Case.objects.get(pk=before.pk)
                assert (after.status, after.level_code, after.department_id) == (
                    before.status,
                    before.level_code,
                    before.department_id,
                )
                return
            self.events += 1
            t = machine.TRANSITIONS[action]
            assert before.status in t.sources
            if t.target is not None:
                assert self.case.status == t.target

        @invariant()
        def consistent(self):
            case = Case.objects.get(pk=self.case.pk)
            assert case.status in Status.values
            assert case.events.count() == self.events
            if case.is_open and case.status != Status.SUSPENDED:
                assert case.stage == machine.STAGE_OF_STATUS[case.status] and case.stage_deadline
            else:
                assert case.stage == ""
            if case.status == Status.CLOSED:
                assert case.closed_at is not None
            if case.status in (Status.DISPATCHED, Status.HANDLING, Status.HANDLED):
                assert case.department_id is not None

    CaseMachine.TestCase.settings = settings(
        max_examples=30,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    state = CaseMachine.TestCase()
    state.runTest()
