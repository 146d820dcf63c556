"""A stand-in SMS gateway on 127.0.0.1 for tests that send through the real HTTP backend, from this process or
from a worker process. Like real gateways, it drops a second message with an Idempotency-Key it has seen."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-gateway-token"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        gateway = self.server
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        key = self.headers.get("Idempotency-Key", "")
        with gateway.lock:
            gateway.requests.append(body)
        time.sleep(gateway.delay)  # a slow provider: a worker can be caught mid-request
        with gateway.lock:
            if key and key in gateway.delivered:
                message_id = gateway.delivered[key]
            else:
                message_id = f"gw-{len(gateway.delivered) + 1}"
                gateway.delivered[key or message_id] = message_id
        answer = json.dumps({"id": message_id}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # every request, repeats included
        self.delivered: dict[str, str] = {}  # reference -> message id, once each
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/sms"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        self._thread.join(5)
