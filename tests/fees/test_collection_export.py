"""The collection export: the service's final fees of the period, each exported once, then paid."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fees import services
from fees.models import CollectionExport, FeeCase, FeeCaseStatus
from portal.csv_export import csv_cell
from referrals.models import Person, Referral
from tests.csv_injection import HOSTILE, assert_no_formula

from .conftest import days_ago, pass_appeal_deadline


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))


@pytest.fixture
def final(imposed, fee_officer) -> FeeCase:
    pass_appeal_deadline(imposed)
    return services.fee_case_make_final(actor=fee_officer, fee_case=imposed)


def test_a_final_fee_is_exported_once(final, fee_officer, service):
    today = timezone.localdate()
    first = rows(
        services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
    )
    assert first[0][:3] == ["saksnummer", "politireferanse", "fodselsnummer"]
    assert len(first) == 2
    person = final.referral.person
    assert first[1][:4] == [str(final.pk), final.referral.police_reference, person.national_id, person.full_name]
    assert first[1][7] == "2690"
    final.refresh_from_db()
    assert final.status == FeeCaseStatus.EXPORTED
    assert final.exported_in.fee_count == 1
    assert final.exported_in.total_amount == 2690
    second = rows(
        services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
    )
    assert second == first[:1]
    assert CollectionExport.objects.count() == 2
    assert final.referral.events.filter(kind="fee_case.exported").count() == 1


def test_the_export_takes_only_the_period_and_the_service(final, fee_officer, service, other_service):
    yesterday = days_ago(1)
    assert (
        len(
            rows(
                services.fee_collection_export(
                    actor=fee_officer, service=service, period_start=yesterday, period_end=yesterday
                )
            )
        )
        == 1
    )
    with pytest.raises(ValidationError, match="service lead or fee officer"):
        services.fee_collection_export(
            actor=fee_officer, service=other_service, period_start=yesterday, period_end=yesterday
        )


def test_fees_not_to_collect_are_not_exported(appealed, fee_officer, lead, service):
    services.fee_case_reverse(actor=lead, fee_case=appealed, reasons="Sykdom dokumentert.")
    services.fee_case_make_final(actor=lead, fee_case=appealed)
    today = timezone.localdate()
    assert (
        len(
            rows(
                services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
            )
        )
        == 1
    )


def test_an_upheld_appeal_is_exported(appealed, fee_officer, service):
    services.fee_case_forward_appeal(actor=fee_officer, fee_case=appealed)
    services.fee_case_register_appeal_outcome(
        actor=fee_officer, fee_case=appealed, outcome="upheld", decided_on=timezone.localdate()
    )
    services.fee_case_make_final(actor=fee_officer, fee_case=appealed)
    today = timezone.localdate()
    assert (
        len(
            rows(
                services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
            )
        )
        == 2
    )


def test_a_period_ending_before_it_starts_is_refused(fee_officer, service):
    with pytest.raises(ValidationError) as raised:
        services.fee_collection_export(
            actor=fee_officer, service=service, period_start=days_ago(0), period_end=days_ago(1)
        )
    assert "period_end" in raised.value.error_dict


def test_an_exported_fee_is_marked_paid(final, fee_officer, service):
    today = timezone.localdate()
    services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
    fee_case = services.fee_case_mark_paid(actor=fee_officer, fee_case=final, paid_on=today)
    assert (fee_case.status, fee_case.paid_on) == (FeeCaseStatus.PAID, today)
    with pytest.raises(ValidationError, match="after it was sent to collection"):
        services.fee_case_mark_paid(actor=fee_officer, fee_case=fee_case, paid_on=today)


def test_a_fee_made_final_before_the_period_and_never_exported_is_not_left_behind(final, fee_officer, service):
    FeeCase.objects.filter(pk=final.pk).update(final_at=timezone.now() - datetime.timedelta(days=40))
    today = timezone.localdate()
    exported = rows(
        services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
    )
    assert len(exported) == 2  # the header and the fee


@pytest.mark.parametrize("text", HOSTILE)
def test_no_cell_of_the_collection_file_can_be_read_as_a_formula(final, fee_officer, service, text):
    """The file goes to the collection agency: every text column is neutralised, the amount stays a number."""
    referral = final.referral
    # Written past the validators: what a typo, an import or a future form could let through.
    Referral.objects.filter(pk=referral.pk).update(police_reference=text)
    Person.objects.filter(pk=referral.person_id).update(
        national_id=text[:11],
        first_name=text,
        last_name=text,
        street_address=text,
        postal_code=text[:4],
        postal_town=text,
    )
    today = timezone.localdate()

    content = services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)

    header, row = rows(content)
    assert_no_formula([header, row])
    fields = dict(zip(header, row, strict=True))
    assert fields["politireferanse"] == "'" + text
    assert fields["fodselsnummer"] == "'" + text[:11]
    assert fields["navn"] == csv_cell(f"{text} {text}".strip())
    assert (fields["adresse"], fields["postnummer"], fields["poststed"]) == ("'" + text, "'" + text[:4], "'" + text)
    assert (fields["saksnummer"], fields["belop_kr"]) == (str(final.pk), "2690")
    assert CollectionExport.objects.get().csv.read() == content
