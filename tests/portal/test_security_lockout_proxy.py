"""Behind the reverse proxy, the lockout keys on the client's address, not the proxy's."""

from axes.helpers import get_client_ip_address
from django.test import RequestFactory


def test_the_client_address_comes_from_the_proxys_forwarded_entry(settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    # The client forged the first entry; the proxy appended the address it really saw.
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert get_client_ip_address(request) == "198.51.100.7"


def test_without_a_proxy_the_connection_address_is_used(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")
    assert get_client_ip_address(request) == "198.51.100.7"
