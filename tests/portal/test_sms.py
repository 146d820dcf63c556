"""Only a positive answer from the SMS provider counts as sent.

The HTTP backend is tested against a real HTTP server on 127.0.0.1, which records what it
receives and answers as each test tells it to.
"""

import io
import json
import pickle
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import sms
from portal.sms import SmsError, SmsSent, get_backend, send_sms
from portal.sms.backends import console, filebased, locmem

HTTP_BACKEND = "portal.sms.backends.http.SmsBackend"
TOKEN = "gateway-secret-token"
PHONE = "+4791234567"
REMINDER = "Påminnelse: time hos Oslo kommune i morgen kl. 10.00."


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        gateway = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        gateway.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        if gateway.silent:
            gateway.hang_up.wait(timeout=10)  # never answers; released when the test ends
            return
        answer = gateway.answer if isinstance(gateway.answer, bytes) else json.dumps(gateway.answer).encode()
        self.send_response(gateway.status)
        for name, value in gateway.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass  # keep pytest's output clean


class Gateway(ThreadingHTTPServer):
    """A stand-in SMS gateway: set `status` and `answer` (or `silent`), then read `requests`."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests = []
        self.status = 200
        self.answer = {"id": "gw-0001"}
        self.headers = {}
        self.silent = False
        self.hang_up = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}/v1/sms"


@pytest.fixture
def gateway(settings):
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.SMS_BACKEND = HTTP_BACKEND
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    settings.SMS_SENDER = "Radgiving"
    yield server
    server.hang_up.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def free_port():
    """A port nothing listens on: bound by the OS for us, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The HTTP gateway


def test_accepted_message_returns_the_gateways_id(gateway):
    gateway.answer = {"id": "gw-4711", "status": "queued"}

    sent = send_sms(to=PHONE, body=REMINDER, reference="reminder-17")

    assert sent == SmsSent(message_id="gw-4711")
    [request] = gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["json"] == {"to": PHONE, "from": "Radgiving", "message": REMINDER, "reference": "reminder-17"}
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    # The reference doubles as an idempotency key, so a gateway can drop a resend after a crash.
    assert request["headers"]["Idempotency-Key"] == "reminder-17"


def test_numeric_id_from_the_gateway_is_kept_as_text(gateway):
    gateway.answer = {"id": 90210}
    assert send_sms(to=PHONE, body=REMINDER) == SmsSent(message_id="90210")


@pytest.mark.parametrize("answer", [{}, {"id": ""}, {"id": None}, {"status": "ok"}, b"OK", b""])
def test_success_without_a_message_id_is_not_sent(gateway, answer):
    gateway.answer = answer
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    # The gateway may have taken it: sending again could deliver the reminder twice.
    assert raised.value.retryable is False


def test_a_no_content_answer_is_not_sent(gateway):
    gateway.status, gateway.answer = 204, b""
    with pytest.raises(SmsError):
        send_sms(to=PHONE, body=REMINDER)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_refused_request_is_not_retried(gateway, status):
    gateway.status, gateway.answer = status, {"error": "invalid sender"}
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    assert raised.value.retryable is False
    assert str(status) in str(raised.value)


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_a_busy_or_failing_gateway_is_retried(gateway, status):
    gateway.status, gateway.answer = status, {"error": "try later"}
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    assert raised.value.retryable is True


def test_a_gateway_that_never_answers_times_out_and_is_retried(gateway):
    gateway.silent = True
    started = time.monotonic()
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    assert raised.value.retryable is True
    assert time.monotonic() - started < 5
    assert len(gateway.requests) == 1  # it got there; only the answer is missing


def test_a_gateway_that_refuses_the_connection_is_retried(settings):
    settings.SMS_BACKEND = HTTP_BACKEND
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/v1/sms"
    settings.SMS_GATEWAY_TOKEN = TOKEN
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    assert raised.value.retryable is True


def test_a_redirect_is_not_followed_with_the_token(gateway):
    gateway.status, gateway.answer = 302, b""
    gateway.headers = {"Location": "/elsewhere"}
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    assert raised.value.retryable is False
    assert [r["path"] for r in gateway.requests] == ["/v1/sms"]


def test_the_token_is_never_logged_nor_in_errors(gateway, caplog):
    caplog.set_level("DEBUG")
    send_sms(to=PHONE, body=REMINDER)
    gateway.status = 503
    with pytest.raises(SmsError) as raised:
        send_sms(to=PHONE, body=REMINDER)
    assert TOKEN not in caplog.text
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(get_backend())


def test_the_http_backend_needs_a_url_and_a_token(settings):
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "https://sms.example/v1", ""
    with pytest.raises(ImproperlyConfigured):
        get_backend(HTTP_BACKEND)


def test_the_http_backend_only_speaks_http(settings):
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "file:///etc/passwd", TOKEN
    with pytest.raises(ImproperlyConfigured):
        get_backend(HTTP_BACKEND)


# Refused before anything is sent


@pytest.mark.parametrize("number", ["912 34 567", "91234567", "004791234567", "+47 912 34 567", "+4712", "", "ring"])
def test_a_number_not_in_e164_is_refused_before_anything_is_sent(gateway, number):
    with pytest.raises(ValueError, match=r"E\.164"):
        send_sms(to=number, body=REMINDER)
    assert gateway.requests == []


# The development and test backends


def test_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms"  # created by the backend
    backend = get_backend("portal.sms.backends.filebased.SmsBackend")

    first = send_sms(to=PHONE, body=REMINDER, backend=backend)
    second = send_sms(to="+4740000000", body="Andre melding", backend=backend)

    lines = (tmp_path / "sms" / filebased.FILE_NAME).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [first.message_id, second.message_id]
    message = json.loads(lines[0])
    assert (message["to"], message["from"], message["message"]) == (PHONE, "Radgiving", REMINDER)


def test_console_backend_writes_to_the_given_stream():
    stream = io.StringIO()
    sent = send_sms(to=PHONE, body=REMINDER, backend=console.SmsBackend(stream=stream))
    assert sent.message_id in stream.getvalue()
    assert PHONE in stream.getvalue()
    assert REMINDER in stream.getvalue()


def test_tests_send_into_the_outbox_by_default():
    sent = send_sms(to=PHONE, body=REMINDER)
    assert sms.outbox == [sms.SmsMessage(message_id=sent.message_id, to=PHONE, sender="Radgiving", body=REMINDER)]
    assert isinstance(get_backend(), locmem.SmsBackend)


def test_generated_ids_differ_per_message():
    assert send_sms(to=PHONE, body="1") != send_sms(to=PHONE, body="2")


def test_sms_error_survives_pickling_with_its_retry_flag():
    error = pickle.loads(pickle.dumps(SmsError("gateway down", retryable=True)))  # noqa: S301 - our own bytes
    assert (str(error), error.retryable) == ("gateway down", True)


# The sender the person sees: a service's own neutral sender ID, or SMS_SENDER


def test_a_services_own_sender_id_is_what_the_gateway_is_given(gateway):
    send_sms(to=PHONE, body=REMINDER, sender="OsloKommune")
    send_sms(to=PHONE, body=REMINDER)
    assert [request["json"]["from"] for request in gateway.requests] == ["OsloKommune", "Radgiving"]


def test_the_outbox_file_and_console_record_the_sender(settings, tmp_path):
    send_sms(to=PHONE, body=REMINDER, sender="OsloKommune")
    assert sms.outbox[0].sender == "OsloKommune"
    backend = get_backend("portal.sms.backends.filebased.SmsBackend", file_path=tmp_path)
    send_sms(to=PHONE, body=REMINDER, sender="OsloKommune", backend=backend)
    assert json.loads((tmp_path / filebased.FILE_NAME).read_text(encoding="utf-8"))["from"] == "OsloKommune"
    stream = io.StringIO()
    send_sms(to=PHONE, body=REMINDER, sender="OsloKommune", backend=console.SmsBackend(stream=stream))
    assert "From: OsloKommune" in stream.getvalue()


@pytest.mark.parametrize("sender", ["Oslo kommune", "Bærum", "Kommunen12345"])
def test_a_sender_id_gateways_refuse_is_refused_before_anything_is_sent(gateway, sender):
    with pytest.raises(ValueError, match="sender"):
        send_sms(to=PHONE, body=REMINDER, sender=sender)
    assert gateway.requests == []
