"""A gateway's receiving end for tests: an HTTP server on a free port that records each POST."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers `status` with `{"id": "gw-<n>"}`; the first `hold` requests get no answer until
    the test ends (a gateway that accepted a message and has not said so yet)."""

    def __init__(self, status: int = 200, hold: int = 0):
        self.status, self.hold = status, hold
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.received.append(
                        {"at": time.time(), "headers": dict(self.headers), "raw": raw}
                    )
                    n = len(receiver.received)
                if n <= receiver.hold:
                    receiver._released.wait(60)
                answer = json.dumps({"id": f"gw-{n}"}).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"

    def messages(self) -> list[dict]:
        with self._lock:
            return [json.loads(r["raw"]) for r in self.received]

    def __enter__(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()
