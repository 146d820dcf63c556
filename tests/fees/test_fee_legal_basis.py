"""The fee's legal basis is a setting: fees stay off until an administrator records it, the letters print it, and
nothing in the portal cites a fee rule the law does not contain."""

import pathlib

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from counselling.attendance.services import AttendanceDetails, attendance_record
from fees import services
from fees.models import DEFAULT_APPEAL_BODY, FeeCase, FeeLetter, FeePolicy
from referrals.models import ReferralStatus
from tests.counselling.conftest import pdf_text

from .conftest import REASONS, assessment, missed_meeting
from .factories import FeePolicyFactory, OrderReferralFactory


def words(file) -> str:
    return " ".join(pdf_text(file).replace("\xa0", " ").split())


def test_fees_cannot_be_switched_on_without_a_legal_basis_in_the_admin_form(service):
    policy = FeePolicy(service=service, fees_enabled=True)

    with pytest.raises(ValidationError) as raised:
        policy.full_clean()

    assert {"fees_enabled", "legal_basis_citation", "legal_basis_text"} <= set(raised.value.error_dict)
    assert "legal basis" in raised.value.error_dict["fees_enabled"][0].messages[0]


def test_a_policy_with_its_legal_basis_recorded_may_switch_fees_on(service):
    policy = FeePolicy(
        service=service, fees_enabled=True, legal_basis_citation="forskrift § 1", legal_basis_text="Gebyr kan ilegges."
    )
    policy.full_clean()
    policy.save()
    assert policy.charges_fees


def test_the_database_refuses_fees_on_without_a_legal_basis(service):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeePolicy.objects.create(service=service, fees_enabled=True, legal_basis_citation="forskrift § 1")
    assert not FeePolicy.objects.exists()


def test_a_no_show_where_no_basis_is_recorded_gets_no_fee_case(order_referral, counsellor, service, court_fee_rates):
    # Fees on, but the basis is only blanks: nothing a letter could print.
    FeePolicy.objects.create(service=service, fees_enabled=True, legal_basis_citation=" ", legal_basis_text=" ")
    meeting = missed_meeting(order_referral, counsellor)

    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))

    assert not FeeCase.objects.exists()
    order_referral.refresh_from_db()
    assert order_referral.status == ReferralStatus.MISSED
    with pytest.raises(ValidationError, match="No legal basis"):
        services.fee_case_propose(actor=counsellor, meeting=meeting)


def test_the_advance_notice_prints_the_configured_basis_and_the_right_not_to_incriminate_oneself(noticed):
    text = words(FeeLetter.objects.get(fee_case=noticed).pdf)

    assert "forskrift om gebyr for manglende oppmøte § 1" in text
    assert "Den som ikke møter uten gyldig grunn, kan ilegges et gebyr." in text
    assert "ikke plikt til å svare" in text and "forvaltningsloven § 48" in text
    assert "3-9" not in text


def test_the_decision_letter_prints_the_configured_legal_basis_and_no_invented_citation(imposed):
    text = words(FeeLetter.objects.get(fee_case=imposed, kind="decision").pdf)

    assert "Vedtaket er truffet etter forskrift om gebyr for manglende oppmøte § 1." in text
    assert "helse- og omsorgstjenesteloven" not in text and "3-9" not in text


def test_no_template_or_translation_cites_hol_3_9_b_as_the_fee_basis():
    """§ 3-9 b names the unit ("rådgivende enhet for russaker") and may be cited for that; it has no fee rule, so
    no fee letter cites it and no translated text puts it beside a fee."""
    root = pathlib.Path(settings.BASE_DIR)
    letters = list((root / "templates" / "fees").rglob("*.html"))
    assert root / "templates" / "fees" / "letters" / "decision.html" in letters
    for path in letters:
        assert "3-9" not in path.read_text(encoding="utf-8"), path
    for entry in polib.pofile(str(root / "locale" / "nb" / "LC_MESSAGES" / "django.po")):
        for text in (entry.msgid, entry.msgstr):
            if "3-9" in text:
                assert not any(word in text.lower() for word in ("gebyr", "fee")), text


def test_the_decision_gives_a_due_date_that_an_appeal_suspends(imposed):
    assert imposed.payment_due == services.payment_due(imposed.appeal_deadline, payment_period_days=14)
    assert imposed.payment_due > imposed.appeal_deadline
    text = words(FeeLetter.objects.get(fee_case=imposed, kind="decision").pdf)

    # The letter is written before it reaches the person, so it gives the due date as a period after the appeal
    # deadline; the case has the date once the letter is known to have arrived.
    assert "Betalingsfristen er 14 dager etter at klagefristen er ute." in text
    assert "Klager du innen klagefristen, trenger du ikke betale før klagen er avgjort." in text


@pytest.mark.parametrize("outcome", ["waived_hardship", "dropped_valid_reason"])
def test_a_decision_without_a_fee_offers_no_appeal_that_would_be_refused(answered, fee_officer, lead, outcome):
    services.fee_case_assess_hardship(
        actor=fee_officer, fee_case=answered, assessment=assessment(burdensome=True, reasoning="Uføretrygd.")
    )
    fee_case = services.fee_case_decide(actor=lead, fee_case=answered, outcome=outcome, reasons="Ikke gebyr.")

    text = words(FeeLetter.objects.get(fee_case=fee_case, kind="decision").pdf)
    assert "Du har rett til å klage" not in text and "Klagefristen" not in text
    assert "ikke noe å klage på" in text
    assert fee_case.payment_due is None
    with pytest.raises(ValidationError):
        services.fee_case_register_appeal(
            actor=fee_officer, fee_case=fee_case, received_on=fee_case.notified_on, grounds="Uenig."
        )


def test_the_appeal_body_defaults_to_the_municipalitys_appeal_board_and_is_required(service):
    policy = FeePolicy(service=service)
    assert policy.appeal_body == DEFAULT_APPEAL_BODY == "kommunens klagenemnd"

    policy.appeal_body = ""
    with pytest.raises(ValidationError) as raised:
        policy.full_clean()
    assert "appeal_body" in raised.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_the_decision_letter_names_the_configured_appeal_body(assessed, lead, fee_policy):
    fee_policy.appeal_body = "Klagenemnda i Oslo kommune"
    fee_policy.save()
    fee_case = services.fee_case_decide(actor=lead, fee_case=assessed, outcome="imposed", reasons=REASONS)

    text = words(FeeLetter.objects.get(fee_case=fee_case, kind="decision").pdf)
    assert "Klagen behandles av Klagenemnda i Oslo kommune." in text
    assert "videre til Klagenemnda i Oslo kommune." in text
    assert "klageinstansen" not in text


def test_a_demonstration_services_fee_letters_say_they_are_not_real(request, service, fee_policy):
    service.is_demonstration = True
    service.save()
    fee_case = request.getfixturevalue("imposed")

    for kind in ("advance_notice", "decision"):
        assert "DEMONSTRASJON – oppdiktet sak, ikke et ekte brev" in words(
            FeeLetter.objects.get(fee_case=fee_case, kind=kind).pdf
        )


def test_a_real_services_letters_carry_no_demonstration_mark(imposed):
    for letter in FeeLetter.objects.filter(fee_case=imposed):
        assert "DEMONSTRASJON" not in words(letter.pdf)


def test_the_fee_factory_policy_is_a_valid_policy(service):
    FeePolicyFactory(service=service).full_clean()


def test_an_order_summons_warns_of_the_fee_only_where_the_service_charges_one_on_its_basis(
    service, counsellor, order_referral, fee_policy
):
    from counselling.scheduling.services import meeting_book
    from tests.counselling.conftest import soon
    from tests.factories import LocationFactory

    def summons_text(referral, day):
        referral.attendance_deadline = soon(days=30).date()  # in time, whatever day the suite runs
        referral.save()
        meeting = meeting_book(
            actor=counsellor,
            referral=referral,
            counsellor=counsellor,
            location=LocationFactory(service=service),
            starts_at=soon(days=day),
        )
        return " ".join(pdf_text(meeting.letters.get().pdf).split())

    fee_policy.multiplier = 3
    fee_policy.save()
    assert "kan du bli ilagt et gebyr på tre ganger rettsgebyret" in summons_text(order_referral, 2)

    FeePolicy.objects.filter(pk=fee_policy.pk).update(fees_enabled=False)
    assert "gebyr" not in summons_text(OrderReferralFactory(service=service), 3)
