"""Data subject access (GDPR art. 15): everything the service holds about one person, as JSON and as PDF.

Scoped to the lead's own service: each service is its own controller, and another service's records would
reveal that the person had a case there. The access log about the person is included (Normen). Which fields go
in, and in what shape, each app declares next to its models (portal.personal_data); this module decides only
whose data it is and from which service.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from portal import personal_data
from portal.csv_export import csv_text
from portal.pdf import html_to_pdf
from referrals.models import Person, Referral

from .access_log import access_log_about


def person_data(service, person: Person) -> dict:
    """All the service holds about the person, in the reader's language, ready for JSON: what each app declares
    its rows hold (portal.personal_data), for the person and for each of their cases in this service."""
    referrals = Referral.objects.filter(service=service, person=person).order_by("incident_date", "pk")
    return {
        "service": service.name,
        "made_at": timezone.localtime(),
        "person": personal_data.export(Person.objects.filter(pk=person.pk))[0],
        "referrals": personal_data.export(referrals),
        "access_log": access_log_about(service, person),
    }


def person_data_json(data: dict) -> str:
    # DjangoJSONEncoder writes dates and times in ISO 8601 (a default= here would replace it).
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def person_data_pdf(data: dict) -> bytes:
    return html_to_pdf(render_to_string("privacy/pdf/person_data.html", {"data": data}))


ACCESS_LOG_COLUMNS = ("staff", "role", "service", "what", "reason")


def access_log_csv(rows: list[dict], headers: list[str]) -> str:
    lines = ([row["time"].strftime("%Y-%m-%d %H:%M"), *(row[key] for key in ACCESS_LOG_COLUMNS)] for row in rows)
    return csv_text(headers, lines)


def access_log_pdf(person: Person, service, rows: list[dict]) -> bytes:
    html = render_to_string(
        "privacy/pdf/access_log_person.html",
        {"person": person, "service": service, "rows": rows, "made_at": timezone.localtime()},
    )
    return html_to_pdf(html)
