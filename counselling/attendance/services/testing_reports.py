"""What the police get about drug testing, and the requisition that goes with each sample to the laboratory.

The report is as minimal as the attendance report: the programme's dates, how many tests were called and taken,
and the dates of no-shows and refusals. Never a result, a note or health information: the laboratory reports
results to the police directly, because the prosecution is the requester.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from counselling.scheduling.services.letters import LETTER_LANGUAGE
from portal.pdf import html_to_pdf
from portal.selectors import staff_name
from referrals.models import PoliceDistrict

from ..models import (
    DrugTest,
    DrugTestOutcome,
    DrugTestStatus,
    PoliceReport,
    PoliceReportKind,
    ReportingRule,
    TestingProgramme,
)
from .police_reports import _report_make


def testing_summary(programme: TestingProgramme) -> dict:
    """The facts a drug-testing report holds, as they stand: dates as ISO strings so they are kept as sent."""
    recorded = list(
        programme.tests.filter(status=DrugTestStatus.RECORDED).order_by("day").values_list("day", "outcome")
    )
    return {
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "planned": programme.planned_tests,
        "called": sum(outcome != DrugTestOutcome.VALID_ABSENCE for _day, outcome in recorded),
        "taken": sum(outcome == DrugTestOutcome.TAKEN for _day, outcome in recorded),
        "no_shows": [day.isoformat() for day, outcome in recorded if outcome == DrugTestOutcome.NO_SHOW],
        "refusals": [day.isoformat() for day, outcome in recorded if outcome == DrugTestOutcome.REFUSED],
    }


def end_report_make(*, actor, programme: TestingProgramme) -> PoliceReport:
    """The report at the end of the period, once per programme (the caller holds the programme's lock)."""
    existing = PoliceReport.objects.filter(programme=programme, kind=PoliceReportKind.TESTING_END).first()
    if existing is not None:
        return existing
    return _report_make(
        actor=actor,
        referral=programme.referral,
        meeting=None,
        kind=PoliceReportKind.TESTING_END,
        meeting_date=None,
        programme=programme,
        testing_summary=testing_summary(programme),
    )


def breach_report_make(*, actor, test: DrugTest) -> PoliceReport:
    """The report of one no-show or refusal under a "report each breach" rule, once per test."""
    existing = PoliceReport.objects.filter(drug_test=test, kind=PoliceReportKind.TESTING_BREACH).first()
    if existing is not None:
        return existing
    programme = test.programme
    summary = testing_summary(programme)
    summary["breach"] = {"day": test.day.isoformat(), "outcome": test.outcome}
    return _report_make(
        actor=actor,
        referral=programme.referral,
        meeting=None,
        kind=PoliceReportKind.TESTING_BREACH,
        meeting_date=test.day,
        programme=programme,
        drug_test=test,
        testing_summary=summary,
    )


def requisition_html(test: DrugTest) -> str:
    """The requisition for the laboratory: the prosecution authority is the requester, the unit only took the
    sample. It names the person, the sample and how it was taken, nothing else of the case."""
    programme = test.programme
    referral = programme.referral
    with translation.override(LETTER_LANGUAGE):
        return render_to_string(
            "letters/requisition.html",
            {
                "test": test,
                "programme": programme,
                "person": referral.person,
                "service": referral.service,
                "police_district": PoliceDistrict(programme.police_district).label,
                "collector_name": staff_name(test.collector) if test.collector_id else "",
                "sampled_at": timezone.localtime(test.outcome_at) if test.outcome_at else None,
                "demonstration": referral.service.is_demonstration,
            },
        )


def requisition_pdf(test: DrugTest) -> bytes:
    return html_to_pdf(requisition_html(test))


def announced_test_letter_html(test: DrugTest) -> str:
    """The letter summoning the person to an announced test, for one who is better reached by post or by hand
    than by the SMS and e-mail notice: the time and place, what to bring, and that a no-show is reported."""
    programme = test.programme
    referral = programme.referral
    person = referral.person
    with translation.override(LETTER_LANGUAGE):
        body = render_to_string(
            "letters/announced_test.html",
            {
                "test": test,
                "programme": programme,
                "starts": timezone.localtime(test.starts_at),
                "each_breach": programme.reporting_rule == ReportingRule.EACH_BREACH,
                "service": referral.service,
            },
        )
        return render_to_string(
            "letters/letter.html",
            {
                "service": referral.service,
                "unit_name": referral.service.unit_name,
                "recipient_name": person.full_name,
                "recipient_address": person.postal_address,
                "today": timezone.localdate(),
                "body": body,
            },
        )


def announced_test_letter_pdf(test: DrugTest) -> bytes:
    return html_to_pdf(announced_test_letter_html(test))
