"""A stateful property test of document circulation: whatever steps people try, in any order,
the document stays in a known state, a refused step changes nothing, and each accepted one adds
exactly one timeline entry and lands where the table says."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gridgov.office import machine
from gridgov.office.models import DocStatus, Document
from gridgov.office.services import documents

ACTORS = ["district", "op_a", "op_b", "member_a", "leader", "community_a"]


@pytest.mark.slow
def test_no_sequence_of_steps_breaks_a_document(office):
    class DocumentMachine(RuleBasedStateMachine):
        @initialize()
        def receive(self):
            self.doc = documents.receive_document(
                acting_user=office["district"],
                area=office["district_area"],
                number="金政〔2026〕1号",
                title="关于开展专项整治的通知",
                issuing_unit="金水区人民政府",
                main=[office["street_a"]],
                copies=[office["street_b"]],
            )
            self.events = 1

        @rule(
            action=st.sampled_from(sorted(machine.STEPS)),
            who=st.sampled_from(ACTORS),
            with_note=st.booleans(),
        )
        def act(self, action, who, with_note):
            before = Document.objects.get(pk=self.doc.pk)
            try:
                self.doc = documents.perform(
                    before,
                    action,
                    acting_user=office[who],
                    note="说明" if with_note else "",
                    lead_area=office["street_a"],
                    days=3,
                    readers=[office["leader"]],
                )
            except (ValidationError, PermissionDenied):
                after = Document.objects.get(pk=before.pk)
                assert (after.status, after.lead_code, after.deadline) == (
                    before.status,
                    before.lead_code,
                    before.deadline,
                )
                return
            self.events += 1
            step = machine.STEPS[action]
            assert before.status in step.sources
            if step.target is not None:
                assert self.doc.status == step.target

        @invariant()
        def consistent(self):
            doc = Document.objects.get(pk=self.doc.pk)
            assert doc.status in DocStatus.values
            assert doc.events.count() == self.events
            if doc.status in (DocStatus.ASSIGNED, DocStatus.REPLIED):
                assert doc.lead_code and doc.deadline
            if doc.status != DocStatus.RECEIVED:
                assert not doc.recipients.filter(kind="main", signed_at__isnull=True).exists()
            if doc.status == DocStatus.CLOSED:
                assert doc.closed_at is not None

    DocumentMachine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    DocumentMachine.TestCase().runTest()
