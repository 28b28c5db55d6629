"""The demo's past, replayed in order: steps are queued at the moments they happen and run with
the clock set to that moment, so the services the demo calls (the same as in real use) stamp
their rows with the demo's history instead of the moment of loading."""

import datetime
import heapq
import itertools
from collections.abc import Callable

import time_machine

Step = Callable[[datetime.datetime], None]


class Replay:
    """A queue of steps in time order. `at(moment, step)` books a step; `run(until)` takes them
    one by one with the clock at their moment; a step may book later ones. Steps booked after
    `until` never happen (the demo's present stops them)."""

    def __init__(self) -> None:
        self._queue: list[tuple[datetime.datetime, int, Step]] = []
        self._order = itertools.count()
        self.taken = 0
        self.current: datetime.datetime | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def at(self, moment: datetime.datetime, step: Step) -> None:
        """Book a step; one booked for a moment already past runs now (time never runs back)."""
        if self.current is not None and moment < self.current:
            moment = self.current
        heapq.heappush(self._queue, (moment, next(self._order), step))

    def run(self, until: datetime.datetime, progress: Callable[[], None] | None = None) -> None:
        with time_machine.travel(until, tick=False) as clock:
            while self._queue and self._queue[0][0] <= until:
                moment, _n, step = heapq.heappop(self._queue)
                self.current = moment
                clock.move_to(moment)
                step(moment)
                self.taken += 1
                if progress:
                    progress()
        self._queue.clear()
        self.current = None


def moment(when: datetime.datetime):
    """The clock held at one moment (for a single write stamped in the past)."""
    return time_machine.travel(when, tick=False)
