"""The portal's entries in the shared meta-tests."""

from gridgov.tests.sections import ListRoute

LISTS = {
    "portal_reports": ListRoute(
        "/portal/reports/",
        "gridgov.portal.api:list_public_reports",
        "/api/v1/portal/reports",
        "items",
        key="number",
        queries=("", "status=open", "status=closed", "street=410105001"),
        bad="status=X",
    ),
}

NOT_LISTS = {
    "gridgov.portal.api:nearby_reports": "the few nearest open reports of a kind (form helper)",
    "gridgov.portal.api:street_figures": "figures per street, not rows",
    "gridgov.portal.api:suggest_categories": "up to three public kinds for a description "
    "(form helper), no rows of anyone",
}

ALLOWED_READS = {
    ("portal/queries.py", "PortalReport"): "public_reports(): only published or listed, never "
    "anonymous reports, shown through public_dict's fields to anyone; find_any is shown only to "
    "the reporter (views._visible_to)",
    ("portal/queries.py", "Area"): "names of streets, communities and grids, shown by design",
    ("portal/views.py", "PortalReport"): "mine: the reports the confirmed citizen follows",
}


def list_rows(users, admin):
    """Rows for the lists' comparison: two public reports, one closed."""
    from gridgov.accounts.system import PORTAL, SETUP, system_user
    from gridgov.portal import services
    from gridgov.portal.models import PublicCategory
    from gridgov.portal.tests.conftest import POINT_A, confirmed

    services.seed_public_categories(actor=system_user(SETUP))
    portal = system_user(PORTAL)
    citizen = confirmed("13800007777", portal)
    for i, code in enumerate(["C0110", "E0102"]):
        made = services.submit_report(
            actor=portal,
            category=PublicCategory.objects.get(category__code=code),
            description=f"列表测试{i}",
            citizen=citizen,
            lon=POINT_A[0],
            lat=POINT_A[1],
            idempotency_key=f"list-rows-{i}",
        )
        services.moderate(made, actor=admin, publish=True)
