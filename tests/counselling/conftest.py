import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from referrals.identity import example_national_id
from referrals.services import GuardianDetails, PersonDetails, ReferralDetails, referral_register
from tests.factories import LocationFactory, ReferralFactory


def pdf_text(file) -> str:
    """The text of a stored PDF, as a person reading it would see it."""
    with file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def soon(days=2, hour=10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())


@pytest.fixture
def location(service):
    return LocationFactory(service=service, name="Kontoret i Storgata")


@pytest.fixture
def referral(service, counsellor):
    """An adult's case with a deadline a month ahead, registered by the counsellor (so it is theirs to work on)."""
    return ReferralFactory(
        service=service,
        created_by=counsellor,
        attendance_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def minor_referral(service, counsellor, thresholds_2021):
    """A 16-year-old's case with two guardians, registered as the intake form does."""
    today = timezone.localdate()
    born = today.replace(year=today.year - 16) - datetime.timedelta(days=60)
    return referral_register(
        actor=counsellor,
        service=service,
        person_details=PersonDetails(
            national_id=example_national_id(born, 600), first_name="Ola", last_name="Testesen", email="ola@example.org"
        ),
        details=ReferralDetails(
            route="condition",
            police_district="oslo",
            police_reference="2026-004711",
            incident_date=today - datetime.timedelta(days=20),
            decision_date=today - datetime.timedelta(days=10),
            attendance_deadline=today + datetime.timedelta(days=30),
            seizure_unknown=True,
            guardians=[
                GuardianDetails(name="Kari Testesen", relation="mor", email="kari@example.org"),
                GuardianDetails(name="Per Testesen", relation="far"),
            ],
        ),
    )


@pytest.fixture(autouse=True)
def english():
    """Services called directly answer in the active language; these tests read their messages in English.
    Pages choose their own language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield
