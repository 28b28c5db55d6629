from gridgov.tests.scope import Case

STREET_B_NAME = "花园路街道"


def _absent(world) -> list[str]:
    return [STREET_B_NAME, "乙街道的井盖问题"]


CASES = [
    Case("cockpit/", lambda w: "/cockpit/", expect=200, absent=_absent),
    Case("cockpit/", lambda w: "/cockpit/?area=410105002"),
    Case("cockpit/", lambda w: "/cockpit/?area=410105"),
    Case("cockpit/export.xlsx", lambda w: "/cockpit/export.xlsx?area=410105002"),
    Case("api/v1/cockpit", lambda w: "/api/v1/cockpit", expect=200, absent=_absent),
    Case("api/v1/cockpit", lambda w: "/api/v1/cockpit?area=410105002"),
]
