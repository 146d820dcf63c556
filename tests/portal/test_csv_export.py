"""No cell of a CSV file the portal writes can be read by a spreadsheet as a formula (CSV injection)."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from portal.audit import audit_read
from portal.csv_export import csv_cell, csv_text
from portal.models import CounsellingService
from tests.csv_injection import HOSTILE, assert_no_formula, csv_rows
from tests.factories import ReferralFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "portal", "counselling", "referrals", "fees"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_start_a_formula_is_quoted(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Ola Nordmann", "2026-000123", "Storgata 1", "", "a=b", "x-1"])
def test_ordinary_text_is_written_as_it_is(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize("number", [2690, 0, Decimal("2690.00"), -100, Decimal("-1.5")])
def test_numbers_the_code_computes_stay_numbers(number):
    assert csv_cell(number) == number
    assert csv_rows(csv_text(["n"], [[number]]))[1] == [str(number)]


def test_a_number_typed_as_text_is_text():
    """A phone number in E.164 starts with "+": as text it is quoted like any other text."""
    assert csv_cell("+4791234567") == "'+4791234567"
    assert csv_cell(None) == ""


@pytest.mark.parametrize("text", HOSTILE)
def test_the_file_reads_back_with_the_text_intact_and_no_formula(text):
    rows = csv_rows(csv_text([text, "b"], [[text, 1], ["ok", text]]))
    assert rows == [["'" + text, "b"], ["'" + text, "1"], ["ok", "'" + text]]
    assert_no_formula(rows)


def _modules_importing_csv():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                if any(name == "csv" or name.startswith("csv.") for name in names):
                    yield str(path.relative_to(ROOT))


def test_every_csv_file_is_written_through_the_one_helper():
    """A new export cannot forget the quoting: only portal/csv_export.py may use the csv module to write."""
    assert list(_modules_importing_csv()) == ["portal/csv_export.py"]


@pytest.mark.parametrize("text", HOSTILE)
def test_who_has_accessed_my_data_has_no_formula_in_any_cell(client, service, lead, colleague, text):
    """Every text column of the access log export: the staff member's name, the service, the reason."""
    referral = ReferralFactory(service=service)
    CounsellingService.objects.filter(pk=service.pk).update(name=text)
    colleague.first_name, colleague.last_name = text, text
    colleague.save()
    audit_read(actor=colleague, action="referral.viewed", obj=referral, person_id=referral.person_id, reason=text)
    client.force_login(lead)

    response = client.get(reverse("privacy:access_log_person_csv", args=[service.slug, referral.person_id]))

    rows = csv_rows(response.content.decode("utf-8"))
    assert len(rows) == 2
    assert_no_formula(rows)
    time, staff, _role, service_name, what, reason = rows[1]
    assert (service_name, reason) == ("'" + text, "'" + text)
    assert staff == csv_cell(colleague.get_full_name())
    assert what and time.startswith("20")
