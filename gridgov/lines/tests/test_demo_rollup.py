"""The demo rolls the line figures up right after loading the lines."""

import io

from gridgov.assessment.models import LineTally
from gridgov.lines import demo_data_rollup
from gridgov.lines.services import disputes
from gridgov.lines.tests import disputes_helpers as dh


def test_the_demo_rolls_the_line_figures_up_once(tree, users):
    dispute = dh.dispute(users["op_a"], "纠纷", tree.grids[0].code)
    disputes.close_dispute(dispute, actor=users["op_a"], success=True, note="和解")
    assert not LineTally.objects.exists()
    out = io.StringIO()
    demo_data_rollup.load(stdout=out, scale="district", size="small", seed=1)
    street = LineTally.objects.get(area_code=tree.grids[0].code[:9])
    assert (street.mediation_ended, street.mediation_success) == (1, 1)
    assert "line figures rolled up" in out.getvalue()
