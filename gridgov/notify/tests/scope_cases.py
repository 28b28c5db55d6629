from gridgov.notify.services import notify
from gridgov.tests.scope import Case


def setup(world) -> None:
    notify([world.users["op_b"]], "乙街道的私信")


CASES = [
    Case("notify/", lambda w: "/notify/", expect=200, absent=lambda w: ["乙街道的私信"]),
    Case("notify/read/", lambda w: "/notify/read/", "POST", expect=302, multipart=True),
]
