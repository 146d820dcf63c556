"""What the summons says to a young person and their guardians, and how it is laid out on paper."""

import datetime
import importlib
import io
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.apps import apps as django_apps
from pypdf import PdfReader

from counselling.scheduling.models import LetterTemplate
from counselling.scheduling.services import meeting_book
from tests.factories import LocationFactory, ReferralFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
MEETING_DAY = datetime.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def monday_1_june_2026():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=OSLO), tick=False):
        yield


def pages(letter) -> list[str]:
    with letter.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _summons(service, counsellor, *, born, route="condition", location=None):
    referral = ReferralFactory(
        service=service,
        created_by=counsellor,
        route=route,
        seizure_unknown=route != "order",
        classification="exempt" if route == "order" else "",
        person__first_name="Lars",
        person__last_name="Haugs",
        person__date_of_birth=born,
        person__street_address="Bakkeveien 12 B",
        person__postal_code="0150",
        person__postal_town="Oslo",
        incident_date=datetime.date(2026, 3, 1),
        decision_date=datetime.date(2026, 3, 10),
        attendance_deadline=datetime.date(2026, 7, 1),
    )
    referral.guardians.create(name="Kari Haugs", relation="mor", street_address="Bakkeveien 12 B")
    meeting = meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location or LocationFactory(service=service),
        starts_at=datetime.datetime.combine(MEETING_DAY, datetime.time(13), OSLO),
    )
    return {letter.recipient_kind: letter for letter in meeting.letters.all()}


def _text(letter) -> str:
    return " ".join(pages(letter))


@pytest.mark.parametrize(
    ("born", "young_person"),
    [
        (datetime.date(2010, 6, 11), False),  # 15 on the day of the meeting: the guardians consent
        (datetime.date(2010, 6, 10), True),  # 16 that day
        (datetime.date(2008, 6, 11), True),  # still 17
    ],
)
def test_a_summons_tells_a_16_or_17_year_old_that_consent_is_their_own(service, counsellor, born, young_person):
    letters = _summons(service, counsellor, born=born)
    to_person, to_guardian = _text(letters["person"]), _text(letters["guardian"])
    assert ("pasient- og brukerrettighetsloven § 4-3" in to_person) is young_person
    assert ("pasient- og brukerrettighetsloven § 4-3" in to_guardian) is young_person
    if young_person:
        assert "Du har fylt 16 år og bestemmer selv" in to_person
        assert "De får ikke vite hva du forteller i samtalen, med mindre du sier ja til det" in to_person
        assert "Som foresatt får du vite at samtalen skal holdes, og om Lars møtte" in to_guardian
        assert "Du får ikke vite hva Lars forteller i samtalen" in to_guardian
        assert "§ 3-4" in to_guardian


def test_a_summons_for_the_18th_birthday_has_no_word_on_what_guardians_are_told(service, counsellor):
    letters = _summons(service, counsellor, born=datetime.date(2008, 6, 10))
    assert list(letters) == ["person"]
    text = _text(letters["person"])
    assert "§ 4-3" not in text and "§ 3-4" not in text and "foresatte" not in text.lower()


@pytest.mark.parametrize(
    ("born", "instructions"),
    [
        # An adult's summons under the order route filled page 1 up to the signature, which went on alone.
        (datetime.date(1990, 6, 1), "Inngang fra bakgården, andre etasje."),
        (datetime.date(1990, 6, 1), ""),
        (datetime.date(2008, 6, 11), "Inngang fra bakgården, andre etasje. Ta med legitimasjon."),
    ],
)
def test_the_summons_signature_shares_its_page_with_the_text_before_it(service, counsellor, born, instructions):
    service.phone, service.email = "+47 21 80 21 80", "radgivende.enhet@bydel-grunerlokka.oslo.kommune.no"
    service.save()
    location = LocationFactory(service=service, name="Helsestasjon for ungdom", instructions=instructions)
    letters = _summons(service, counsellor, born=born, route="order", location=location)
    for letter in letters.values():
        text_pages = pages(letter)
        (signed,) = [page for page in text_pages if "Med vennlig hilsen" in page]
        before_signature = signed.split("Med vennlig hilsen")[0]
        # Not the signature alone under the footer: the end of the paragraph before it is on the same page.
        assert "må dokumenteres." in before_signature, text_pages


def test_a_demonstration_services_summons_says_on_every_page_that_it_is_not_real(service, counsellor):
    service.is_demonstration = True
    service.save()
    letters = _summons(service, counsellor, born=datetime.date(1990, 6, 1), route="order")
    for letter in letters.values():
        assert all("DEMONSTRASJON – oppdiktet sak, ikke et ekte brev" in page for page in pages(letter))


def test_a_real_services_summons_carries_no_demonstration_mark(service, counsellor):
    letters = _summons(service, counsellor, born=datetime.date(1990, 6, 1))
    assert not any("DEMONSTRASJON" in page for letter in letters.values() for page in pages(letter))


def _migration():
    return importlib.import_module("counselling.scheduling.migrations.0002_summons_by_the_age_on_the_meeting_day")


def test_the_previous_default_summons_text_is_replaced_by_the_new_one(db):
    previous = (Path(__file__).parent / "previous_summons_default.html").read_text(encoding="utf-8")
    LetterTemplate.objects.update_or_create(kind="summons", defaults={"subject": "Innkalling", "body": previous})
    _migration().update_default(django_apps, None)
    body = LetterTemplate.objects.get(kind="summons").body
    assert "var under 18 år da saken skjedde" not in body
    assert "pasient- og brukerrettighetsloven §&nbsp;4-3" in body


def test_a_summons_text_the_administrators_changed_is_left_alone(db):
    LetterTemplate.objects.update_or_create(
        kind="summons", defaults={"subject": "Innkalling", "body": "<p>Vår egen tekst</p>"}
    )
    _migration().update_default(django_apps, None)
    assert LetterTemplate.objects.get(kind="summons").body == "<p>Vår egen tekst</p>"
