from gridgov.tests.scope import Case

STREET_B_NAME = "花园路街道"


CASES = [
    Case(
        "cockpit/",
        lambda w: "/cockpit/",
        expect=200,
        not_live="the cockpit page is a shell: its figures come from api/v1/cockpit",
    ),
    Case("cockpit/", lambda w: "/cockpit/?area=410105002"),
    Case("cockpit/", lambda w: "/cockpit/?area=410105"),
    Case("cockpit/export.xlsx", lambda w: "/cockpit/export.xlsx?area=410105002"),
    Case(
        "api/v1/cockpit",
        lambda w: "/api/v1/cockpit",
        expect=200,
        absent=lambda w: [STREET_B_NAME],
        codes=(),  # "code" there names categories as well as areas
    ),
    Case("api/v1/cockpit", lambda w: "/api/v1/cockpit?area=410105002"),
]
