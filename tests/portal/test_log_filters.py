"""A refused request (403, 404) is logged on one line; a server error keeps its traceback."""

import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied

from portal.log_filters import ExpectedRefusalsOnOneLine


def _record(status_code: int) -> logging.LogRecord:
    try:
        raise PermissionDenied("not for this role")
    except PermissionDenied:
        message = "Forbidden (Permission denied): %s"
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, message, ("/x/",), sys.exc_info())
    record.status_code = status_code
    return record


@pytest.mark.parametrize("status_code", [403, 404])
def test_an_expected_refusal_is_one_line(status_code):
    record = _record(status_code)
    assert ExpectedRefusalsOnOneLine().filter(record)
    text = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert text == "WARNING Forbidden (Permission denied): /x/"


def test_a_server_error_keeps_its_traceback():
    record = _record(500)
    assert ExpectedRefusalsOnOneLine().filter(record)
    assert "Traceback" in logging.Formatter("%(message)s").format(record)


def test_the_console_handler_of_make_run_uses_the_filter():
    from config.settings import base

    assert base.LOGGING["handlers"]["console"]["filters"] == ["expected_refusals"]
    assert base.LOGGING["filters"]["expected_refusals"]["()"] == "portal.log_filters.ExpectedRefusalsOnOneLine"
