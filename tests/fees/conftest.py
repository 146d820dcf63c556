"""A service that charges fees, its fee officer, and a missed meeting under the order route: the scene every
fee case test starts from. The step helpers go through fees.services, as the pages do."""

import datetime

import pytest
from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from fees import services
from fees.models import FeeCase
from portal.models import Role
from tests.factories import MeetingFactory, StaffMembershipFactory

from .factories import FeePolicyFactory, OrderReferralFactory


@pytest.fixture(autouse=True)
def english():
    """Services called directly answer in the active language; these tests read their messages in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def fee_policy(service):
    return FeePolicyFactory(service=service)


@pytest.fixture
def fee_officer(service):
    return StaffMembershipFactory(
        service=service, role=Role.FEE_OFFICER, user__username="fee_officer", user__first_name="Frida"
    ).user


@pytest.fixture
def order_referral(service):
    return OrderReferralFactory(
        service=service,
        person__first_name="Ola",
        person__last_name="Nordmann",
        person__street_address="Gata 2",
        person__postal_code="0150",
        person__postal_town="Oslo",
    )


def missed_meeting(referral, counsellor, *, hours_ago=2):
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    return MeetingFactory(
        referral=referral, counsellor=counsellor, starts_at=start, booked_by=counsellor, summons_posted=True
    )


@pytest.fixture
def proposed(order_referral, counsellor, fee_policy, court_fee_rates) -> FeeCase:
    """The counsellor records a no-show under the order route: the fee is proposed."""
    meeting = missed_meeting(order_referral, counsellor)
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    return FeeCase.objects.get(meeting=meeting)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def pass_answer_deadline(fee_case: FeeCase) -> None:
    """Time passes: the answer deadline is behind us."""
    FeeCase.objects.filter(pk=fee_case.pk).update(answer_deadline=days_ago(1))


def pass_appeal_deadline(fee_case: FeeCase) -> None:
    FeeCase.objects.filter(pk=fee_case.pk).update(appeal_deadline=days_ago(1))


def assessment(burdensome=False, **kwargs) -> services.HardshipAssessment:
    values = {
        "financial_situation": "Arbeidsinntekt ca. 420 000 kr i året, ingen gjeld av betydning.",
        "life_situation": "Bor alene, i fast arbeid, ingen forsørgeransvar.",
        "persons_account": "Glemte avtalen.",
        "reasoning": "Med fast inntekt og uten gjeld er et gebyr på dette nivået ikke urimelig tyngende.",
        "unreasonably_burdensome": burdensome,
    }
    values.update(kwargs)
    return services.HardshipAssessment(**values)


@pytest.fixture
def noticed(proposed, fee_officer) -> FeeCase:
    services.fee_case_send_notice(actor=fee_officer, fee_case=proposed)
    return FeeCase.objects.get(pk=proposed.pk)


@pytest.fixture
def answered(noticed, fee_officer) -> FeeCase:
    return services.fee_case_register_answer(
        actor=fee_officer,
        fee_case=noticed,
        received_on=timezone.localdate(),
        valid_reason="Glemte avtalen.",
        situation="Jobber fullt, bor alene.",
    )


@pytest.fixture
def assessed(answered, fee_officer) -> FeeCase:
    return services.fee_case_assess_hardship(actor=fee_officer, fee_case=answered, assessment=assessment())


REASONS = "Du møtte ikke og har ikke oppgitt gyldig grunn. Med fast inntekt er gebyret ikke urimelig tyngende."


def decision_posted(fee_case: FeeCase, actor, *, on=None) -> FeeCase:
    """The decision letters are posted (today unless `on`): the appeal deadline runs from their presumed arrival."""
    for letter in fee_case.letters.filter(kind="decision"):
        services.fee_letter_mark_sent(actor=actor, letter=letter, method="posted", sent_on=on or timezone.localdate())
    return FeeCase.objects.get(pk=fee_case.pk)


@pytest.fixture
def imposed_not_sent(assessed, lead) -> FeeCase:
    """The fee imposed; the decision letter made and not yet sent."""
    return services.fee_case_decide(actor=lead, fee_case=assessed, outcome="imposed", reasons=REASONS)


@pytest.fixture
def imposed(imposed_not_sent, fee_officer) -> FeeCase:
    """The fee imposed and the decision posted today."""
    return decision_posted(imposed_not_sent, fee_officer)


@pytest.fixture
def appealed(imposed, fee_officer) -> FeeCase:
    return services.fee_case_register_appeal(
        actor=fee_officer, fee_case=imposed, received_on=timezone.localdate(), grounds="Jeg var syk den dagen."
    )
