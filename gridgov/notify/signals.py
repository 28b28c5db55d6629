"""What the SMS platform tells other parts, so they need not know the gateway.

- `sms_delivery`: the gateway's delivery report for one outbox row was recorded. Keyword
  arguments: `message` (the Outbox row, already updated), `delivered` (True when the handset
  has it, False when the gateway gave up), `at` (aware datetime of the report). Sent inside
  the transaction that records the report (reports are written in groups), in a savepoint of
  its own: a receiver that raises loses its own writes only.
- `sms_received`: an inbound text arrived. Keyword arguments: `phone`, `text`, `message_id`,
  `at`. A receiver that takes the text as its own (e.g. a warning acknowledgement by reply
  code) returns True; when no receiver does, the text becomes a case report.
"""

from django.dispatch import Signal

sms_delivery = Signal()
sms_received = Signal()
