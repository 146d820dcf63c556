"""Appeals under forvaltningsloven §§ 31 and 33: a late appeal, also against a final fee or one in collection, is
registered and then considered or rejected with its own letter; the person is told when the appeal goes to the
appeal body; the appeal body may lower the fee, and collection then takes the lower fee."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from fees import services
from fees.models import FeeCase, FeeCaseStatus, FeeLetter
from portal.models import AuditEvent
from referrals.models import Guardian
from tests.counselling.conftest import pdf_text
from tests.factories import ReferralFactory

from .conftest import REASONS, assessment, missed_meeting, pass_appeal_deadline

# A Wednesday in November at noon: no step here depends on the hour or the weekday.
NOON = datetime.datetime(2026, 11, 11, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))


@pytest.fixture(autouse=True)
def wednesday_noon():
    with time_machine.travel(NOON, tick=True):
        yield


def letter_text(fee_case, kind, recipient_kind="person") -> str:
    letter = FeeLetter.objects.get(fee_case=fee_case, kind=kind, recipient_kind=recipient_kind)
    return " ".join(pdf_text(letter.pdf).replace("\xa0", " ").split())


def export_rows(actor, service) -> list[list[str]]:
    today = timezone.localdate()
    content = services.fee_collection_export(actor=actor, service=service, period_start=today, period_end=today)
    return list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))


@pytest.fixture
def final(imposed, fee_officer) -> FeeCase:
    pass_appeal_deadline(imposed)
    return services.fee_case_make_final(actor=fee_officer, fee_case=imposed)


@pytest.fixture
def exported(final, fee_officer, service) -> FeeCase:
    export_rows(fee_officer, service)
    final.refresh_from_db()
    assert final.status == FeeCaseStatus.EXPORTED
    return final


def register_late(fee_case, actor, grounds="Jeg var innlagt på sykehus og fikk ikke brevet før nå."):
    return services.fee_case_register_late_appeal(
        actor=actor, fee_case=fee_case, received_on=timezone.localdate(), grounds=grounds
    )


def forwarded(fee_case, actor) -> FeeCase:
    return services.fee_case_forward_appeal(actor=actor, fee_case=fee_case)


# A late appeal (forvaltningsloven § 31)


def test_a_late_appeal_against_a_final_fee_is_registered_and_waits_to_be_considered_or_rejected(final, fee_officer):
    fee_case = register_late(final, fee_officer)
    assert fee_case.status == FeeCaseStatus.LATE_APPEAL
    assert fee_case.appeal_received_on == timezone.localdate()
    assert fee_case.appeal_was_late
    assert fee_case.referral.events.filter(kind="fee_case.late_appeal").exists()
    assert AuditEvent.objects.filter(action="fee_case.late_appeal", object_id=str(fee_case.pk)).exists()


def test_a_late_appeal_is_registered_also_after_the_fee_went_to_collection(exported, fee_officer):
    fee_case = register_late(exported, fee_officer)
    assert fee_case.status == FeeCaseStatus.LATE_APPEAL_EXPORTED
    assert fee_case.exported_in is not None  # collection goes on until the late appeal is considered


def test_a_late_appeal_before_the_case_is_made_final_is_registered_as_late(imposed, fee_officer):
    pass_appeal_deadline(imposed)
    fee_case = register_late(imposed, fee_officer)
    assert fee_case.status == FeeCaseStatus.LATE_APPEAL


def test_an_appeal_after_the_deadline_cannot_be_registered_as_one_in_time(imposed, fee_officer):
    pass_appeal_deadline(imposed)
    with pytest.raises(ValidationError) as raised:
        services.fee_case_register_appeal(
            actor=fee_officer, fee_case=imposed, received_on=timezone.localdate(), grounds="Uenig."
        )
    assert "late appeal" in raised.value.error_dict["received_on"][0].messages[0]
    imposed.refresh_from_db()
    assert imposed.status == FeeCaseStatus.DECIDED


def test_an_appeal_in_time_cannot_be_registered_as_late(imposed, fee_officer):
    with pytest.raises(ValidationError) as raised:
        register_late(imposed, fee_officer)
    assert "received_on" in raised.value.error_dict


def test_a_decision_already_appealed_cannot_be_appealed_again_late(appealed, lead, fee_officer):
    services.fee_case_reverse(actor=lead, fee_case=appealed, reasons="Legeerklæring viser sykdom.")
    services.fee_case_make_final(actor=lead, fee_case=appealed)
    with pytest.raises(ValidationError):
        register_late(appealed, fee_officer)


def test_a_considered_late_appeal_goes_back_into_the_appeal_flow_with_collection_on_hold(final, fee_officer, service):
    fee_case = register_late(final, fee_officer)
    fee_case = services.fee_case_consider_late_appeal(
        actor=fee_officer, fee_case=fee_case, reasons="Innlagt på sykehus i hele klagefristen; ikke å laste."
    )
    assert fee_case.status == FeeCaseStatus.APPEALED
    assert fee_case.late_appeal_considered is True
    assert len(export_rows(fee_officer, service)) == 1  # nothing goes to collection while the appeal runs
    fee_case = services.fee_case_reverse(actor=fee_officer, fee_case=fee_case, reasons="Legeerklæring viser sykdom.")
    assert not fee_case.collectable
    assert services.fee_case_make_final(actor=fee_officer, fee_case=fee_case).status == FeeCaseStatus.FINAL
    assert len(export_rows(fee_officer, service)) == 1


def test_a_late_appeal_considered_after_export_takes_the_fee_out_of_collection_until_the_appeal_ends(
    exported, fee_officer, service
):
    first_export = exported.exported_in
    fee_case = register_late(exported, fee_officer)
    fee_case = services.fee_case_consider_late_appeal(
        actor=fee_officer, fee_case=fee_case, reasons="Brevet kom aldri fram; ny adresse."
    )
    assert fee_case.status == FeeCaseStatus.APPEALED
    assert (fee_case.exported_in, fee_case.withdrawn_from_export) == (None, first_export)
    event = fee_case.referral.events.get(kind="fee_case.late_appeal_considered")
    assert "collection agency" in event.description
    # The appeal body upholds the fee: it goes to collection again with the next export.
    forwarded(fee_case, fee_officer)
    services.fee_case_register_appeal_outcome(
        actor=fee_officer, fee_case=fee_case, outcome="upheld", decided_on=timezone.localdate()
    )
    services.fee_case_make_final(actor=fee_officer, fee_case=fee_case)
    rows = export_rows(fee_officer, service)
    assert [row[0] for row in rows[1:]] == [str(fee_case.pk)]


def test_a_rejected_late_appeal_gets_a_reasoned_letter_and_the_decision_stands(final, fee_officer, service):
    fee_case = register_late(final, fee_officer)
    letters = services.fee_case_reject_late_appeal(
        actor=fee_officer, fee_case=fee_case, reasons="Du har ikke oppgitt noen grunn til at klagen kom for sent."
    )
    fee_case.refresh_from_db()
    assert fee_case.status == FeeCaseStatus.FINAL
    assert fee_case.late_appeal_considered is False
    assert [letter.kind for letter in letters] == ["late_appeal_rejected"]
    text = letter_text(fee_case, "late_appeal_rejected")
    assert "Klagen kom for sent" in text
    assert "forvaltningsloven § 31" in text
    assert "Du har ikke oppgitt noen grunn til at klagen kom for sent." in text
    assert "tre uker fra den dagen du fikk dette brevet" in text  # the rejection may itself be appealed
    assert "2 690 kr" in text
    assert [row[0] for row in export_rows(fee_officer, service)[1:]] == [str(fee_case.pk)]


def test_a_late_appeal_rejected_while_in_collection_leaves_the_fee_in_collection(exported, fee_officer):
    export = exported.exported_in
    fee_case = register_late(exported, fee_officer)
    services.fee_case_reject_late_appeal(actor=fee_officer, fee_case=fee_case, reasons="Ingen grunn oppgitt.")
    fee_case.refresh_from_db()
    assert (fee_case.status, fee_case.exported_in) == (FeeCaseStatus.EXPORTED, export)
    assert "sendt til innkreving" in letter_text(fee_case, "late_appeal_rejected")


def test_considering_or_rejecting_a_late_appeal_needs_reasons_and_saves_nothing_without(final, fee_officer):
    fee_case = register_late(final, fee_officer)
    for step in (services.fee_case_consider_late_appeal, services.fee_case_reject_late_appeal):
        with pytest.raises(ValidationError) as raised:
            step(actor=fee_officer, fee_case=fee_case, reasons="  ")
        assert "reasons" in raised.value.error_dict
    fee_case.refresh_from_db()
    assert (fee_case.status, fee_case.late_appeal_decided_at) == (FeeCaseStatus.LATE_APPEAL, None)
    assert not FeeLetter.objects.filter(kind="late_appeal_rejected").exists()


def test_only_a_late_appeal_can_be_considered_or_rejected(appealed, fee_officer):
    with pytest.raises(ValidationError, match="Only a late appeal"):
        services.fee_case_reject_late_appeal(actor=fee_officer, fee_case=appealed, reasons="For sent.")


# Forwarding to the appeal body (forvaltningsloven § 33)


def test_forwarding_the_appeal_sends_the_person_a_letter(appealed, fee_officer):
    fee_case = forwarded(appealed, fee_officer)
    text = letter_text(fee_case, "appeal_forwarded")
    assert "er sendt til Statsforvalteren i Oslo og Viken" in text
    assert "forvaltningsloven § 33" in text
    assert "ikke betale noe nå" in text


def test_the_forwarding_letter_goes_to_the_same_recipients_as_the_other_fee_letters(
    service, counsellor, fee_officer, lead, fee_policy, court_fee_rates
):
    today = timezone.localdate()
    referral = ReferralFactory(
        service=service,
        route="order",
        seizure_unknown=False,
        classification="exempt",
        person__date_of_birth=today.replace(year=today.year - 16),
        incident_date=today - datetime.timedelta(days=20),
    )
    Guardian.objects.create(referral=referral, name="Kari Mor", relation="mor")
    attendance_record(
        actor=counsellor, meeting=missed_meeting(referral, counsellor), details=AttendanceDetails(outcome="no_show")
    )
    fee_case = FeeCase.objects.get(referral=referral)
    services.fee_case_send_notice(actor=fee_officer, fee_case=fee_case)
    services.fee_case_register_answer(
        actor=fee_officer, fee_case=fee_case, received_on=today, situation="Går på skole, ingen inntekt."
    )
    services.fee_case_assess_hardship(actor=fee_officer, fee_case=fee_case, assessment=assessment())
    services.fee_case_decide(actor=lead, fee_case=fee_case, outcome="imposed", reasons=REASONS)
    services.fee_case_register_appeal(actor=fee_officer, fee_case=fee_case, received_on=today, grounds="Uenig.")
    forwarded(fee_case, fee_officer)

    def recipients(kind):
        return sorted(FeeLetter.objects.filter(fee_case=fee_case, kind=kind).values_list("recipient_name", flat=True))

    assert recipients("appeal_forwarded") == recipients("decision") == sorted(["Kari Mor", referral.person.full_name])
    assert "foresatt" in letter_text(fee_case, "appeal_forwarded", recipient_kind="guardian")


# The appeal body's outcomes


def test_the_appeal_body_can_partly_allow_an_appeal_and_collection_takes_the_lower_fee(appealed, fee_officer, service):
    fee_case = forwarded(appealed, fee_officer)
    fee_case = services.fee_case_register_appeal_outcome(
        actor=fee_officer,
        fee_case=fee_case,
        outcome="partly_allowed",
        decided_on=timezone.localdate(),
        reasons="Gebyret settes ned fordi innkallingen var uklar.",
        new_amount=1345,
    )
    assert (fee_case.status, fee_case.appeal_outcome, fee_case.appeal_amount) == (
        FeeCaseStatus.APPEAL_CONCLUDED,
        "partly_allowed",
        1345,
    )
    assert fee_case.collectable
    assert fee_case.collectable_amount == 1345
    services.fee_case_make_final(actor=fee_officer, fee_case=fee_case)
    rows = export_rows(fee_officer, service)
    assert rows[1][0] == str(fee_case.pk)
    assert rows[1][7] == "1345"
    fee_case.refresh_from_db()
    assert fee_case.exported_in.total_amount == 1345
    assert fee_case.referral.events.get(kind="fee_case.exported").params["amount"] == "1 345"


@pytest.mark.parametrize(
    ("outcome", "new_amount"),
    [
        ("partly_allowed", None),
        ("partly_allowed", 0),
        ("partly_allowed", 2690),
        ("partly_allowed", 5000),
        ("upheld", 1000),
        ("allowed", 1000),
    ],
)
def test_a_new_fee_is_given_only_when_partly_allowed_and_must_be_lower_and_positive(
    appealed, fee_officer, outcome, new_amount
):
    fee_case = forwarded(appealed, fee_officer)
    with pytest.raises(ValidationError) as raised:
        services.fee_case_register_appeal_outcome(
            actor=fee_officer,
            fee_case=fee_case,
            outcome=outcome,
            decided_on=timezone.localdate(),
            new_amount=new_amount,
        )
    assert set(raised.value.error_dict) == {"new_amount"}
    fee_case.refresh_from_db()
    assert (fee_case.status, fee_case.appeal_outcome, fee_case.appeal_amount) == (FeeCaseStatus.FORWARDED, "", None)


def test_the_database_refuses_a_new_fee_that_is_not_lower(appealed):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeCase.objects.filter(pk=appealed.pk).update(appeal_outcome="partly_allowed", appeal_amount=2690)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeCase.objects.filter(pk=appealed.pk).update(appeal_outcome="upheld", appeal_amount=100)


@pytest.mark.parametrize(
    ("outcome", "new_amount", "says", "pays"),
    [
        ("upheld", None, "Gebyret på 2 690 kr gjelder", "Du skal betale 2 690 kr"),
        ("partly_allowed", 1345, "satt ned gebyret fra 2 690 kr til 1 345 kr", "Du skal betale 1 345 kr"),
        ("allowed", None, "Det skal ikke betales gebyr", None),
    ],
)
def test_the_appeal_outcome_letter_says_what_the_appeal_body_decided_and_what_to_pay(
    appealed, fee_officer, outcome, new_amount, says, pays
):
    fee_case = forwarded(appealed, fee_officer)
    services.fee_case_register_appeal_outcome(
        actor=fee_officer,
        fee_case=fee_case,
        outcome=outcome,
        decided_on=timezone.localdate(),
        reasons="Klageinstansens begrunnelse.",
        new_amount=new_amount,
    )
    text = letter_text(fee_case, "appeal_outcome")
    assert says in text
    assert "Statsforvalteren i Oslo og Viken" in text
    assert "Klageinstansens begrunnelse." in text
    assert "kan ikke påklages" in text
    if pays:
        assert pays in text and "1234.56.78903" in text
    else:
        assert "Beløp og betaling" not in text


def test_every_appeal_step_is_on_the_timeline_and_in_the_audit_log(exported, fee_officer):
    fee_case = register_late(exported, fee_officer)
    services.fee_case_consider_late_appeal(actor=fee_officer, fee_case=fee_case, reasons="Syk i hele fristen.")
    forwarded(fee_case, fee_officer)
    services.fee_case_register_appeal_outcome(
        actor=fee_officer, fee_case=fee_case, outcome="partly_allowed", decided_on=timezone.localdate(), new_amount=1000
    )
    kinds = [
        "fee_case.late_appeal",
        "fee_case.late_appeal_considered",
        "fee_case.forwarded",
        "fee_case.appeal_outcome",
    ]
    events = list(fee_case.referral.events.filter(kind__in=kinds).values_list("kind", flat=True))
    assert events == kinds
    audited = set(AuditEvent.objects.filter(object_id=str(fee_case.pk)).values_list("action", flat=True))
    assert set(kinds) <= audited
    outcome = fee_case.referral.events.get(kind="fee_case.appeal_outcome")
    assert "1 000 kr" in outcome.description
