"""Send through the SMS gateway's HTTP API: POST JSON with a bearer token, get back a message id.

The request: `{"to": "+4791234567", "from": SMS_SENDER, "message": "…"}` to SMS_GATEWAY_URL
with `Authorization: Bearer SMS_GATEWAY_TOKEN`. The answer must be 2xx with JSON carrying the
provider's message `id`; anything else is an SmsError. The standard library's urllib is
enough for one POST, so the portal needs no HTTP client dependency for it.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.sms import SmsError, SmsSent

from .base import BaseSmsBackend

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
# A gateway's answer is a few hundred bytes; a larger body is not an answer we understand.
MAX_ANSWER_BYTES = 64 * 1024


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect of the POST as a GET, and carry the bearer token along to
    wherever it points; a redirect is an answer other than "sent", so it surfaces as HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


class SmsBackend(BaseSmsBackend):
    def __init__(self, *, url=None, token=None, sender=None, timeout=None):
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self._token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.sender = sender if sender is not None else settings.SMS_SENDER
        self.timeout = timeout if timeout is not None else getattr(settings, "SMS_GATEWAY_TIMEOUT", DEFAULT_TIMEOUT)
        if not self.url or not self._token:
            raise ImproperlyConfigured("The HTTP SMS backend needs SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN.")
        # urllib also opens file:// and ftp:// URLs; the gateway is only ever HTTP(S).
        if urlsplit(self.url).scheme not in {"http", "https"}:
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http:// or https:// URL.")

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} url={self.url!r}>"  # never the token

    def send(self, *, to: str, body: str, reference: str = "", sender: str = "") -> SmsSent:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=json.dumps(
                {"to": to, "from": sender or self.sender, "message": body, "reference": reference}
            ).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._token}",
                **({"Idempotency-Key": reference} if reference else {}),
            },
        )
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status = response.status
                answer = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            # 429 and 5xx: the provider is busy or down and may take the same message later.
            # Other 4xx (and refused redirects): the request itself is wrong; resending repeats it.
            retryable = error.code == 429 or error.code >= 500
            raise SmsError(f"The SMS gateway answered HTTP {error.code}.", retryable=retryable) from None
        except urllib.error.URLError as error:
            raise SmsError(f"The SMS gateway could not be reached: {error.reason}.", retryable=True) from None
        except (OSError, http.client.HTTPException) as error:
            # Timeouts while waiting for or reading the answer, connections reset or closed
            # without an answer. The message may have gone out; retrying risks a duplicate,
            # which is better than a reminder that is never sent.
            raise SmsError(f"The SMS gateway did not answer: {error!r}.", retryable=True) from None

        message_id = _message_id(answer)
        if not 200 <= status < 300 or message_id is None:
            # The gateway took the request but did not say it accepted the message. Sending
            # again could deliver it twice, and an answer we do not understand will not change.
            raise SmsError(f"The SMS gateway answered HTTP {status} without a message id.", retryable=False)
        logger.info("SMS accepted by the gateway as %s", message_id)
        return SmsSent(message_id=message_id)


def _message_id(answer: bytes) -> str | None:
    if len(answer) > MAX_ANSWER_BYTES:
        return None
    try:
        document = json.loads(answer)
    except ValueError:
        return None
    message_id = document.get("id") if isinstance(document, dict) else None
    # Providers use string or integer ids; a boolean or an empty string is not an id.
    if isinstance(message_id, bool) or not isinstance(message_id, str | int):
        return None
    message_id = str(message_id).strip()
    return message_id or None
