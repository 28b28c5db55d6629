"""A long-lived `gridgov` command line for a live instance in tests (gridgov/tests/instances.py):
Django starts once, then runs one management command per request. A new Python process per
command cost 3–4 s of start-up, most of a live test's time.

Protocol: one JSON list of arguments per line on standard input; one JSON object per line on
the original standard output: {"code", "stdout", "stderr"}. The database connections are closed
after each command, so the next one reads what other processes wrote meanwhile, as a new process
would. End of input ends it (also when the test process dies and the pipe closes).
"""

import contextlib
import io
import json
import os
import sys
import traceback


def serve(lines, reply) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    for line in lines:
        args = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        code = 0
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                call_command(*args, stdout=out, stderr=err)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except Exception:  # the command failed: report it as the command line would
            traceback.print_exc(file=err)
            code = 1
        finally:
            connections.close_all()
        reply.write(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}))
        reply.write("\n")
        reply.flush()


if __name__ == "__main__":
    # Replies on a copy of the original standard output; anything else written there (a
    # print outside a command, a library) goes to standard error instead of into the protocol.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin, replies)
