"""Real `gridgov sender` and `gridgov worker` processes: urgent messages do not wait behind long
jobs, a sender killed mid-send resends once with the same message id, the log gateway logs."""

import json
import signal

import pytest

from gridgov.jobs.tests.processes import wait_for
from gridgov.notify.tests.receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]


def _enqueue(p, *messages: dict) -> list[dict]:
    """Queue messages in one process; each answer has the row id and when it was committed."""
    return json.loads(
        p.python(
            "import json, time\n"
            "from gridgov.notify.outbox import enqueue_message\n"
            "done = []\n"
            f"for m in {list(messages)!r}:\n"
            "    row = enqueue_message('sms', m['to'], m['text'], priority=m['priority'])\n"
            "    done.append({'id': row.pk, 'at': time.time()})\n"
            "print(json.dumps(done))"
        )
    )


def _row(p, pk: int) -> tuple[str, int]:
    return p.query("SELECT status, attempts FROM notify_outbox WHERE id = ?", pk)[0]


def test_a_warning_goes_out_within_5_s_while_a_5_minute_job_runs(platform):
    with Receiver() as receiver:
        # The bulk message shows the sender is up: it must not wait for the morning at night.
        p = platform(
            GRIDGOV_SMS_GATEWAY="http",
            GRIDGOV_SMS_URL=receiver.url,
            GRIDGOV_SMS_SEND_WINDOW="00:00-23:59:59.999999",
        )
        trace = p.folder / "trace"
        long_job = p.python(
            "from gridgov.jobs.services import enqueue\n"
            "from gridgov.accounts.system import JOBS, system_user\n"
            f"print(enqueue('tests.sleep', {{'seconds': 300, 'trace': '{trace}'}}, actor=system_user(JOBS)).pk)"
        )
        p.start("worker", name="worker")
        p.start("sender", name="sender")
        wait_for(trace.exists, 30, "the 5-minute job to start")
        _enqueue(p, {"to": "13800000001", "text": "bulk", "priority": 40})
        wait_for(lambda: len(receiver.received) == 1, 30, "the sender to be up")

        [warning] = _enqueue(p, {"to": "13800000002", "text": "暴雨红色预警", "priority": 10})
        wait_for(lambda: len(receiver.received) == 2, 30, "the warning")
        delay = receiver.received[1]["at"] - warning["at"]
        print(f"the warning arrived {delay:.2f} s after its commit")
        assert delay < 5
        assert receiver.messages()[1]["id"] == str(warning["id"])
        assert p.query("SELECT status FROM jobs_job WHERE id = ?", int(long_job)) == [("running",)]
        wait_for(lambda: _row(p, warning["id"]) == ("sent", 1), 30, "the warning marked sent")


def test_a_sender_killed_mid_send_resends_once_with_the_same_message_id(platform):
    with Receiver(hold=1) as receiver:  # the first request is accepted, never answered
        p = platform(
            GRIDGOV_SMS_GATEWAY="http",
            GRIDGOV_SMS_URL=receiver.url,
            GRIDGOV_OUTBOX_LEASE_SECONDS="3",
        )
        [message] = _enqueue(p, {"to": "13800000003", "text": "请到现场", "priority": 30})
        first = p.start("sender", "--sleep", "0.2", name="sender1")
        wait_for(lambda: len(receiver.received) == 1, 30, "the first delivery")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert _row(p, message["id"]) == ("pending", 1)  # accepted, but not marked

        p.start("sender", "--sleep", "0.2", name="sender2")
        wait_for(lambda: _row(p, message["id"]) == ("sent", 2), 30, "the resend")
        ids = [m["id"] for m in receiver.messages()]
        assert ids == [str(message["id"])] * 2  # once more, with the id a receiver can drop
        headers = [r["headers"]["X-Gridgov-Message-Id"] for r in receiver.received]
        assert headers == ids


def test_the_default_log_gateway_writes_to_the_log(platform):
    p = platform()
    [message] = _enqueue(p, {"to": "13800001234", "text": "井盖缺失", "priority": 30})
    done = p.run("sender", "--once")
    assert done.stdout.strip() == "sent 1, not sent 0"
    assert f"sms {message['id']} to 138****1234: 井盖缺失" in done.stderr
    assert _row(p, message["id"]) == ("sent", 1)
