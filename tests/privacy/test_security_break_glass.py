"""Break-the-glass: a counsellor opens a case of their service that is not theirs only after stating a
reason; the access is time-limited, logged with the reason, and listed for the lead to follow up."""

import datetime

import factory
import pytest
from django.urls import reverse
from django.utils import timezone
from factory.django import DjangoModelFactory

from portal.models import AuditEvent
from privacy.models import BreakTheGlassAccess
from tests.factories import LetterFactory, MeetingFactory, PoliceReportFactory, ReferralFactory, UserFactory
from tests.fees.factories import FeeCaseFactory


class BreakTheGlassAccessFactory(DjangoModelFactory):
    class Meta:
        model = BreakTheGlassAccess

    referral = factory.SubFactory(ReferralFactory, service=factory.SelfAttribute("..service"))
    service = factory.SubFactory("tests.factories.CounsellingServiceFactory")
    user = factory.SubFactory(UserFactory)
    reason = "Kollega er syk; personen ringte om timen."
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=8))


REASON = "Personen ringte og kollegaen er syk i dag."


@pytest.fixture
def case(service, lead):
    """A case of the service, registered by the lead and assigned to no one."""
    return ReferralFactory(service=service, created_by=lead, assigned_counsellor=None)


def _case_pages(case):
    meeting = MeetingFactory(referral=case, counsellor=case.created_by)
    letter = LetterFactory(meeting=meeting)
    slug = case.service.slug
    report = PoliceReportFactory(meeting=meeting)
    fee_case = FeeCaseFactory(referral=case, meeting=meeting)
    return {
        "case": reverse("referrals:detail", args=[slug, case.pk]),
        "meeting": reverse("attendance:meeting", args=[slug, meeting.pk]),
        "attendance": reverse("attendance:attendance", args=[slug, meeting.pk]),
        "letter": reverse("scheduling:letter_pdf", args=[slug, letter.pk]),
        "book": reverse("scheduling:book", args=[slug, case.pk]),
        "reschedule": reverse("scheduling:reschedule", args=[slug, meeting.pk]),
        "cancel": reverse("scheduling:cancel", args=[slug, meeting.pk]),
        "police report": reverse("attendance:police_report_pdf", args=[slug, report.pk]),
        "fee case": reverse("fees:case", args=[slug, fee_case.pk]),
    }


def test_a_counsellor_is_asked_for_a_reason_on_every_page_of_a_case_not_theirs(client, counsellor, case):
    client.force_login(counsellor)
    form = reverse("privacy:break_glass", args=[case.service.slug, case.pk])
    for name, url in _case_pages(case).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(form), name
    assert not AuditEvent.objects.filter(action__in=["referral.viewed", "meeting.viewed"]).exists()


def test_the_caseload_still_lists_the_case_for_every_counsellor(client, counsellor, case):
    client.force_login(counsellor)
    page = client.get(reverse("referrals:caseload", args=[case.service.slug]) + "?counsellor=").content.decode()
    assert str(case) in page


@pytest.mark.parametrize("relation", ["assigned", "registered", "meeting"])
def test_a_counsellor_opens_their_own_cases_without_a_reason(client, counsellor, case, relation):
    if relation == "assigned":
        case.assigned_counsellor = counsellor
        case.save()
    elif relation == "registered":
        case.created_by = counsellor
        case.save()
    else:
        MeetingFactory(referral=case, counsellor=counsellor)
    client.force_login(counsellor)
    assert client.get(reverse("referrals:detail", args=[case.service.slug, case.pk])).status_code == 200


def test_the_lead_opens_every_case_without_a_reason(client, lead, case):
    client.force_login(lead)
    assert client.get(reverse("referrals:detail", args=[case.service.slug, case.pk])).status_code == 200


def test_a_stated_reason_opens_the_case_logs_it_and_lists_it_for_the_lead(client, counsellor, lead, case):
    client.force_login(counsellor)
    url = reverse("referrals:detail", args=[case.service.slug, case.pk])
    form = client.get(url).url
    assert client.get(form).status_code == 200
    response = client.post(form, {"reason": REASON})
    assert response.status_code == 302 and response.url == url
    assert client.get(url).status_code == 200

    event = AuditEvent.objects.get(action="referral.break_the_glass")
    assert (event.actor, event.reason, event.person_id, event.kind) == (counsellor, REASON, case.person_id, "read")
    access = BreakTheGlassAccess.objects.get()
    assert abs(access.expires_at - access.opened_at - datetime.timedelta(hours=8)) < datetime.timedelta(seconds=5)

    client.force_login(lead)
    listing = reverse("privacy:break_glass_list", args=[case.service.slug])
    page = client.get(listing).content.decode()
    assert REASON in page and str(case) in page
    client.post(reverse("privacy:break_glass_followed_up", args=[case.service.slug, access.pk]))
    access.refresh_from_db()
    assert access.followed_up_by == lead and access.followed_up_at is not None


def test_a_reason_too_short_opens_nothing(client, counsellor, case):
    client.force_login(counsellor)
    form = reverse("privacy:break_glass", args=[case.service.slug, case.pk])
    assert client.post(form, {"reason": "trenger"}).status_code == 200
    assert not BreakTheGlassAccess.objects.exists()


def test_the_access_ends_after_its_time(client, counsellor, case):
    BreakTheGlassAccessFactory(
        service=case.service, referral=case, user=counsellor, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(counsellor)
    assert client.get(reverse("referrals:detail", args=[case.service.slug, case.pk])).status_code == 302


def test_breaking_the_glass_asks_for_the_password_when_it_was_checked_long_ago(client, counsellor, case):
    from portal.reauth import PASSWORD_CHECKED_SESSION_KEY

    client.force_login(counsellor)
    session = client.session
    session[PASSWORD_CHECKED_SESSION_KEY] -= 16 * 60
    session.save()
    form = reverse("privacy:break_glass", args=[case.service.slug, case.pk])
    response = client.post(form, {"reason": REASON}, HTTP_REFERER=f"http://testserver{form}")
    assert response.status_code == 302 and response.url.startswith(reverse("portal:reauth"))
    assert not BreakTheGlassAccess.objects.exists()


def test_a_cancelled_meeting_of_theirs_gives_no_standing_access(client, counsellor, case):
    MeetingFactory(referral=case, counsellor=counsellor, status="cancelled", change_reason="Flyttet.")
    client.force_login(counsellor)
    response = client.get(reverse("referrals:detail", args=[case.service.slug, case.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("privacy:break_glass", args=[case.service.slug, case.pk]))
