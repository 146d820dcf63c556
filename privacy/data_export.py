"""Data subject access (GDPR art. 15): everything the service holds about one person, as JSON and as PDF.

Scoped to the lead's own service: each service is its own controller, and another service's records would
reveal that the person had a case there. The access log about the person is included (Normen).
"""

from __future__ import annotations

import json

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from counselling.scheduling.models import Meeting
from fees.models import FeeCase
from portal.csv_export import csv_text
from portal.pdf import html_to_pdf
from portal.selectors import staff_name
from referrals.models import Person, Referral, SeizedSubstance

from .access_log import access_log_about


def _user(user) -> str:
    return staff_name(user) if user else ""


def _file_kept(file) -> bool:
    return bool(file.name) and default_storage.exists(file.name)


def _attendance(meeting: Meeting) -> dict | None:
    attendance = getattr(meeting, "attendance", None)
    if attendance is None:
        return None
    assessment = getattr(attendance, "assessment", None)
    return {
        "outcome": attendance.get_outcome_display(),
        "absence_reason": attendance.absence_reason,
        "person_present": attendance.person_present,
        "guardians_present": [guardian.name for guardian in attendance.guardians_present.all()],
        "risk_information_given": attendance.risk_information_given,
        "consent": attendance.consent,
        "consent_by": attendance.get_consent_by_display(),
        "recorded_by": _user(attendance.recorded_by),
        "recorded_at": attendance.recorded_at,
        "assessment": {
            "needs": assessment.get_needs_display(),
            "onward_referrals": assessment.get_onward_referrals_display(),
            "confidential_note": assessment.confidential_note,
        }
        if assessment
        else None,
    }


def _meeting(meeting: Meeting) -> dict:
    return {
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "status": meeting.get_status_display(),
        "counsellor": _user(meeting.counsellor),
        "location": meeting.location.name,
        "late_reason": meeting.late_reason,
        "change_requested_by": meeting.get_change_requested_by_display(),
        "change_reason": meeting.change_reason,
        "attendance": _attendance(meeting),
        "letters": [
            {
                "kind": letter.get_kind_display(),
                "recipient": letter.recipient_name,
                "email": letter.email,
                "created_at": letter.created_at,
                "emailed_at": letter.emailed_at,
                "file_kept": _file_kept(letter.pdf),
            }
            for letter in meeting.letters.all()
        ],
        "reminders": [
            {
                "channel": reminder.get_channel_display(),
                "to": reminder.address,
                "due_at": reminder.due_at,
                "state": reminder.get_state_display(),
                "sent_at": reminder.sent_at,
            }
            for reminder in meeting.reminders.all()
        ],
    }


def _fee_case(fee_case: FeeCase) -> dict:
    return {
        "status": fee_case.get_status_display(),
        "amount": fee_case.amount,
        "proposed_at": fee_case.proposed_at,
        "notice_sent_at": fee_case.notice_sent_at,
        "answer_deadline": fee_case.answer_deadline,
        "answer_received_on": fee_case.answer_received_on,
        "answer_valid_reason": fee_case.answer_valid_reason,
        "answer_situation": fee_case.answer_situation,
        "hardship_financial_situation": fee_case.hardship_financial_situation,
        "hardship_life_situation": fee_case.hardship_life_situation,
        "hardship_persons_account": fee_case.hardship_persons_account,
        "hardship_reasoning": fee_case.hardship_reasoning,
        "hardship_unreasonably_burdensome": fee_case.hardship_unreasonably_burdensome,
        "decision": fee_case.get_outcome_display(),
        "decided_amount": fee_case.decided_amount,
        "reasons": fee_case.reasons,
        "decided_at": fee_case.decided_at,
        "appeal_deadline": fee_case.appeal_deadline,
        "appeal_received_on": fee_case.appeal_received_on,
        "appeal_grounds": fee_case.appeal_grounds,
        "appeal_outcome": fee_case.get_appeal_outcome_display(),
        "appeal_outcome_reasons": fee_case.appeal_outcome_reasons,
        "paid_on": fee_case.paid_on,
        "cancel_reason": fee_case.cancel_reason,
        "letters": [
            {
                "kind": letter.get_kind_display(),
                "recipient": letter.recipient_name,
                "created_at": letter.created_at,
                "file_kept": _file_kept(letter.pdf),
            }
            for letter in fee_case.letters.all()
        ],
    }


def _referral(referral: Referral) -> dict:
    return {
        "police_reference": str(referral),
        "route": referral.get_route_display(),
        "incident_date": referral.incident_date,
        "decision_date": referral.decision_date,
        "attendance_deadline": referral.attendance_deadline,
        "classification": referral.get_classification_display(),
        "status": referral.get_status_display(),
        "assigned_counsellor": _user(referral.assigned_counsellor),
        "registered_at": referral.created_at,
        "legal_hold": referral.legal_hold_reason if referral.legal_hold else "",
        "seized": [str(seized) for seized in referral.seized.all()],
        "guardians": [
            {
                "name": guardian.name,
                "relation": guardian.relation,
                "phone": guardian.phone,
                "email": guardian.email,
                "address": guardian.postal_address,
            }
            for guardian in referral.guardians.all()
        ],
        "timeline": [
            {"time": event.occurred_at, "by": _user(event.actor), "what": event.description}
            for event in referral.events.all()
        ],
        "meetings": [_meeting(meeting) for meeting in referral.meetings.all()],
        "police_reports": [
            {
                "kind": report.get_kind_display(),
                "meeting_date": report.meeting_date,
                "created_at": report.created_at,
                "sent_at": report.sent_at,
                "file_kept": _file_kept(report.pdf),
            }
            for report in referral.police_reports.all()
        ],
        "fee_cases": [_fee_case(fee_case) for fee_case in referral.fee_cases.all()],
    }


def person_data(service, person: Person) -> dict:
    """All the service holds about the person, in the reader's language, ready for JSON."""
    meetings = Meeting.objects.select_related(
        "counsellor", "location", "attendance__recorded_by", "attendance__assessment"
    ).prefetch_related("letters", "reminders", "attendance__guardians_present")
    referrals = (
        Referral.objects.filter(service=service, person=person)
        .select_related("assigned_counsellor")
        .prefetch_related(
            Prefetch("seized", queryset=SeizedSubstance.objects.select_related("substance")),
            "guardians",
            "events__actor",
            Prefetch("meetings", queryset=meetings.order_by("starts_at")),
            "police_reports",
            "fee_cases__letters",
        )
        .order_by("incident_date", "pk")
    )
    return {
        "service": service.name,
        "made_at": timezone.localtime(),
        "person": {
            "national_id": person.national_id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "phone": person.phone,
            "email": person.email,
            "address": person.postal_address,
            "municipality": str(person.municipality) if person.municipality_id else "",
            "preferred_language": person.get_preferred_language_display(),
            "registered_at": person.created_at,
        },
        "referrals": [_referral(referral) for referral in referrals],
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
