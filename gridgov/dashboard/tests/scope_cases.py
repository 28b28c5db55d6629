from gridgov.lines.tests.populations_world import NATION_B
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
    # the foreign-affairs cockpit: street B's code answers 404 to street A's operator (who holds
    # the right), the right is missing for a grid member (403), and street A's own view holds no
    # foreigner of street B (the lines' scope setup gives B a stay of another nationality)
    Case("cockpit/foreign/", lambda w: "/cockpit/foreign/?area=410105002"),
    Case("cockpit/foreign/", lambda w: "/cockpit/foreign/", expect=403, as_user="member_a"),
    Case("api/v1/cockpit/foreign", lambda w: "/api/v1/cockpit/foreign?area=410105002"),
    Case(
        "api/v1/cockpit/foreign",
        lambda w: "/api/v1/cockpit/foreign",
        expect=403,
        as_user="member_a",
    ),
    Case(
        "api/v1/cockpit/foreign",
        lambda w: "/api/v1/cockpit/foreign",
        expect=200,
        absent=lambda w: [NATION_B, STREET_B_NAME],
        codes=("code",),
    ),
]
