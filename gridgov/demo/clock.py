"""The demo's past, replayed in order: steps are queued at the moments they happen and run with
the clock set to that moment, so the services the demo calls (the same as in real use) stamp
their rows with the demo's history instead of the moment of loading."""

import datetime
import heapq
import itertools
import sys
import time
from collections.abc import Callable

import time_machine
from django.utils import timezone

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

    def run(
        self,
        until: datetime.datetime,
        progress: Callable[[int, datetime.datetime, bool], None] | None = None,
    ) -> None:
        """Take the steps up to `until`; `progress(taken, moment, done)` is called about once a
        second of real time and at the end (a progress bar would read the travelling clock)."""
        shown = time.monotonic()
        with time_machine.travel(until, tick=False) as clock:
            while self._queue and self._queue[0][0] <= until:
                moment, _n, step = heapq.heappop(self._queue)
                self.current = moment
                clock.move_to(moment)
                step(moment)
                self.taken += 1
                if progress and time.monotonic() - shown > 1:
                    shown = time.monotonic()
                    progress(self.taken, moment, False)
        if progress:
            progress(self.taken, until, True)
        self._queue.clear()
        self.current = None


def printer(label: str, stream=None) -> Callable[[int, datetime.datetime, bool], None]:
    """A progress line for `Replay.run`: steps taken and the day the replay has reached."""
    out = stream or sys.stderr

    def show(taken: int, moment: datetime.datetime, done: bool) -> None:
        day = timezone.localtime(moment).date()
        out.write(f"\r{label}: {taken:,} steps, at {day}")
        if done or not out.isatty():
            out.write("\n")
        out.flush()

    return show
