"""The rental-housing inspection plan an installation starts with (data: administrators change
it on the inspection plans' page like any other plan). Loaded by migration 0006 (and again by
the tests after a live-server test flushed the tables).

A `*` item's failure is a major hazard (重大隐患). The risk colour of a rented house follows its
latest inspection (`hazards.rental_colour`): red for a major failure still open or more
occupants than allowed, yellow for a general failure still open, green otherwise."""

RENTAL_PLAN = "出租房屋安全检查"
RENTAL_INTERVAL_DAYS = 90
RENTAL_CHECKLIST: list[tuple[str, bool]] = [
    ("群租：居住人数不超过核定人数，无隔断分租", False),
    ("电动自行车不在室内、楼道或安全出口停放充电", False),
    ("安全出口、疏散通道畅通，未被占用、锁闭或封堵", True),
    ("电气线路无私拉乱接，燃气使用规范", False),
    ("配备灭火器和独立式感烟火灾探测报警器", False),
]


def load(InspectionPlan, ChecklistItem):  # the historical models of a migration
    """Make the rental-housing plan unless one exists; returns it."""
    plan = InspectionPlan.objects.filter(place_type="rental").order_by("pk").first()
    if plan is not None:
        return plan
    plan = InspectionPlan.objects.create(
        name=RENTAL_PLAN,
        place_type="rental",
        organization_kind="other",
        interval_days=RENTAL_INTERVAL_DAYS,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(plan=plan, text=text, major=major, position=i)
        for i, (text, major) in enumerate(RENTAL_CHECKLIST)
    )
    return plan
