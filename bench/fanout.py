"""Issue a red warning to a whole city and push its SMS through Kannel: the two halves of the
warnings-and-SMS figures in one run.

1. bench/warning_fanout.py — issue → every receipt and SMS outbox row committed (goal ≤ 2 s),
   the acknowledgement board's p95 (goal ≤ 200 ms) and a poll of 2,000 staff (p95);
2. bench/sms_throughput.py — the queued warning SMS sent into a running Kannel with fakesmsc,
   counted at fakesmsc (goal ≥ 500/s), as a ratio to posting straight to sendsms with the same
   concurrency, with the sender killed (SIGKILL) twice mid-run: lost and doubled.

Each half runs in its own process on its own throw-away database and removes it afterwards.

    .venv/bin/python bench/fanout.py            # city scale
    .venv/bin/python bench/fanout.py --smoke    # small, for the test suite
    DATABASE_URL=postgres://… .venv/bin/python bench/fanout.py
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HALVES = ("warning_fanout.py", "sms_throughput.py")


def main(args: list[str]) -> int:
    for script in HALVES:
        print(f"== bench/{script} {' '.join(args)}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *args], check=False)
        if done.returncode:
            print(f"bench/{script} failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
