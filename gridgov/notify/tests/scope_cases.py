from gridgov.notify.models import Message
from gridgov.notify.services import notify
from gridgov.tests.scope import Case


def setup(world) -> None:
    notify([world.users["op_b"]], "乙街道的私信")


def _b_read(world, _answer) -> bool:
    """Street B's operator's message was marked read."""
    return Message.objects.filter(user=world.users["op_b"], read_at__isnull=False).exists()


# Messages are their addressee's own: street B's operator is the one who sees them.
CASES = [
    Case(
        "notify/",
        lambda w: "/notify/",
        expect=200,
        absent=lambda w: ["乙街道的私信"],
        live_as="op_b",
    ),
    Case(
        "notify/read/",
        lambda w: "/notify/read/",
        "POST",
        expect=302,
        multipart=True,
        live_as="op_b",
        leaks=_b_read,
    ),
]
