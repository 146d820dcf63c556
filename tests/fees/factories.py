"""Fee rows written directly, for setting the scene; steps under test go through fees.services."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from fees.models import CollectionExport, FeeCase, FeeLetter, FeePolicy
from tests.factories import MeetingFactory, ReferralFactory, UserFactory


class FeePolicyFactory(DjangoModelFactory):
    class Meta:
        model = FeePolicy
        django_get_or_create = ["service"]

    fees_enabled = True
    legal_basis_citation = "forskrift om gebyr for manglende oppmøte § 1"
    legal_basis_text = "Den som ikke møter uten gyldig grunn, kan ilegges et gebyr."
    appeal_body = "Statsforvalteren i Oslo og Viken"
    payment_instructions = "Betal til kontonummer 1234.56.78903 og merk betalingen med saksnummeret."


class OrderReferralFactory(ReferralFactory):
    """A police order: the only route with fees, which needs an exempt seizure."""

    route = "order"
    seizure_unknown = False
    classification = "exempt"


class FeeCaseFactory(DjangoModelFactory):
    class Meta:
        model = FeeCase

    referral = factory.SubFactory(OrderReferralFactory)
    meeting = factory.LazyAttribute(lambda case: MeetingFactory(referral=case.referral))
    amount = 2690
    proposed_by = factory.SubFactory(UserFactory)
    proposed_at = factory.LazyFunction(timezone.now)


class FeeLetterFactory(DjangoModelFactory):
    class Meta:
        model = FeeLetter

    fee_case = factory.SubFactory(FeeCaseFactory)
    kind = "advance_notice"
    recipient_kind = "person"
    recipient_name = factory.LazyAttribute(lambda letter: letter.fee_case.referral.person.full_name)
    pdf = factory.django.FileField(filename="forhandsvarsel.pdf", data=b"%PDF-1.4 test")
    created_by = factory.SelfAttribute("fee_case.proposed_by")


class CollectionExportFactory(DjangoModelFactory):
    class Meta:
        model = CollectionExport

    period_start = factory.LazyFunction(timezone.localdate)
    period_end = factory.LazyFunction(timezone.localdate)
    csv = factory.django.FileField(filename="innkreving.csv", data=b"saksnummer\r\n")
    created_by = factory.SubFactory(UserFactory)
