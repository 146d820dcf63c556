"""The fee pages: the case with its next step, the work list with counts, letters and the collection export."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from fees.models import FeeCase, FeeCaseStatus
from portal.models import AuditEvent
from referrals.models import ReferralStatus
from tests.factories import MeetingFactory

from .conftest import REASONS, pass_appeal_deadline
from .factories import FeeCaseFactory, OrderReferralFactory


def url(name, service, **kwargs):
    return reverse(f"fees:{name}", kwargs={"service_slug": service.slug, **kwargs})


def test_the_referral_page_shows_its_fee_case(client, service, counsellor, proposed):
    client.force_login(counsellor)
    response = client.get(reverse("referrals:detail", args=[service.slug, proposed.referral_id]))
    assert url("case", service, fee_case_pk=proposed.pk) in response.content.decode()


def test_a_counsellor_sees_the_case_but_not_the_persons_finances_or_letters(client, service, counsellor, answered):
    client.force_login(counsellor)
    response = client.get(url("case", service, fee_case_pk=answered.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Jobber fullt" not in page
    assert not response.context["letters"]
    assert not response.context["steps"]
    assert AuditEvent.objects.filter(action="fee_case.viewed", actor=counsellor).exists()


def test_the_fee_officer_sends_the_notice_from_the_case_page(client, service, fee_officer, proposed):
    client.force_login(fee_officer)
    response = client.get(url("case", service, fee_case_pk=proposed.pk))
    assert [name for name, _step, _form in response.context["steps"]] == ["notice"]
    response = client.post(url("case_notice", service, fee_case_pk=proposed.pk))
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == FeeCaseStatus.NOTICE_SENT


def test_the_decision_form_shows_the_assessment_beside_the_answer(client, service, lead, assessed):
    client.force_login(lead)
    page = client.get(url("case", service, fee_case_pk=assessed.pk)).content.decode()
    assert 'data-testid="persons-answer"' in page
    assert 'data-testid="hardship-assessment"' in page
    assert 'data-step="decide"' in page
    assert "Jobber fullt, bor alene." in page
    assert "Med fast inntekt og uten gjeld" in page


def test_a_decision_without_reasons_is_refused_on_the_form(client, service, lead, assessed):
    client.force_login(lead)
    response = client.post(
        url("case_decide", service, fee_case_pk=assessed.pk),
        {"decide-outcome": "imposed", "decide-reasons": "", "decide-notified_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    form = {name: form for name, _step, form in response.context["steps"]}["decide"]
    assert "reasons" in form.errors
    assessed.refresh_from_db()
    assert assessed.status == FeeCaseStatus.ASSESSED


def test_the_proposer_is_refused_on_the_form_too(client, service, counsellor, assessed):
    from portal.memberships import membership_grant
    from portal.models import Role

    membership_grant(actor=None, user=counsellor, service=service, role=Role.SERVICE_LEAD)
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    response = client.post(
        url("case_decide", service, fee_case_pk=assessed.pk),
        {
            "decide-outcome": "imposed",
            "decide-reasons": REASONS,
            "decide-notified_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    form = {name: form for name, _step, form in response.context["steps"]}["decide"]
    assert "someone else must decide" in " ".join(form.non_field_errors())
    assessed.refresh_from_db()
    assert assessed.status == FeeCaseStatus.ASSESSED


def test_a_fee_letter_download_is_logged(client, service, fee_officer, noticed):
    letter = noticed.letters.get()
    client.force_login(fee_officer)
    response = client.get(url("letter_pdf", service, fee_letter_pk=letter.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="fee_letter.downloaded", object_id=str(letter.pk)).exists()


def test_another_services_fee_case_is_not_found(client, other_service, service, stranger, proposed):
    client.force_login(stranger)
    assert client.get(url("case", other_service, fee_case_pk=proposed.pk)).status_code == 404


def test_the_work_list_counts_each_queue(client, service, lead, proposed, imposed):
    client.force_login(lead)
    response = client.get(url("worklist", service))
    counts = {name: len(cases) for name, _label, cases in response.context["queues"]}
    assert counts["appeal_period"] == 1
    assert counts["awaiting_notice"] == 0
    assert sum(counts.values()) == 1


@pytest.mark.parametrize("extra", [1, 6])
def test_the_work_list_query_count_is_pinned(client, service, lead, extra, django_assert_num_queries):
    for status in ["proposed", "notice_sent", "answered"] * extra:
        FeeCaseFactory(referral__service=service, status=status, answer_deadline=timezone.localdate())
    client.force_login(lead)
    client.get(url("worklist", service))
    # session, user, second factor, membership, the fee cases with person and meeting, navigation
    # memberships; the session saved (renewed on every request: savepoint, update, release); the view's
    # own transaction (ATOMIC_REQUESTS: savepoint, release)
    with django_assert_num_queries(11):
        assert client.get(url("worklist", service)).status_code == 200


def test_the_collection_export_downloads_each_fee_once_and_is_logged(client, service, fee_officer, imposed):
    pass_appeal_deadline(imposed)
    client.force_login(fee_officer)
    client.post(url("case_final", service, fee_case_pk=imposed.pk))
    today = timezone.localdate().isoformat()
    response = client.post(url("collection", service), {"period_start": today, "period_end": today})
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert len(rows) == 2 and rows[1].startswith(f"{imposed.pk};")
    again = client.post(url("collection", service), {"period_start": today, "period_end": today})
    assert len(again.content.decode().splitlines()) == 1
    assert FeeCase.objects.get().status == FeeCaseStatus.EXPORTED
    assert AuditEvent.objects.filter(action="fee_collection.exported").count() == 2


def test_a_late_appeal_against_a_final_fee_is_registered_and_rejected_from_the_case_page(
    client, service, fee_officer, imposed
):
    from fees import services

    pass_appeal_deadline(imposed)
    services.fee_case_make_final(actor=fee_officer, fee_case=imposed)
    client.force_login(fee_officer)
    response = client.get(url("case", service, fee_case_pk=imposed.pk))
    assert [name for name, _step, _form in response.context["steps"]] == ["late_appeal"]
    today = timezone.localdate().isoformat()
    response = client.post(
        url("case_late_appeal", service, fee_case_pk=imposed.pk),
        {"late_appeal-received_on": today, "late_appeal-grounds": "Fikk ikke brevet i tide."},
    )
    assert response.status_code == 302
    response = client.get(url("case", service, fee_case_pk=imposed.pk))
    assert [name for name, _step, _form in response.context["steps"]] == ["consider_late_appeal", "reject_late_appeal"]
    # Without reasons: the message beside the field, and nothing saved.
    response = client.post(
        url("case_reject_late_appeal", service, fee_case_pk=imposed.pk), {"reject_late_appeal-reasons": " "}
    )
    assert response.status_code == 200
    form = {name: form for name, _step, form in response.context["steps"]}["reject_late_appeal"]
    assert "reasons" in form.errors
    imposed.refresh_from_db()
    assert imposed.status == FeeCaseStatus.LATE_APPEAL
    response = client.post(
        url("case_reject_late_appeal", service, fee_case_pk=imposed.pk),
        {"reject_late_appeal-reasons": "Ingen grunn til at klagen kom for sent."},
    )
    assert response.status_code == 302
    page = client.get(url("case", service, fee_case_pk=imposed.pk)).content.decode()
    assert 'data-testid="late-appeal-decision"' in page
    assert "Ingen grunn til at klagen kom for sent." in page
    imposed.refresh_from_db()
    assert imposed.status == FeeCaseStatus.FINAL
    assert imposed.letters.filter(kind="late_appeal_rejected").count() == 1


def test_a_partly_allowed_appeal_without_its_new_fee_is_refused_beside_the_field(
    client, service, fee_officer, appealed
):
    from fees import services

    services.fee_case_forward_appeal(actor=fee_officer, fee_case=appealed)
    client.force_login(fee_officer)
    today = timezone.localdate().isoformat()
    response = client.post(
        url("case_appeal_outcome", service, fee_case_pk=appealed.pk),
        {"appeal_outcome-outcome": "partly_allowed", "appeal_outcome-decided_on": today},
    )
    assert response.status_code == 200
    form = {name: form for name, _step, form in response.context["steps"]}["appeal_outcome"]
    assert "new_amount" in form.errors
    appealed.refresh_from_db()
    assert appealed.status == FeeCaseStatus.FORWARDED
    response = client.post(
        url("case_appeal_outcome", service, fee_case_pk=appealed.pk),
        {
            "appeal_outcome-outcome": "partly_allowed",
            "appeal_outcome-decided_on": today,
            "appeal_outcome-new_amount": "1500",
        },
    )
    assert response.status_code == 302
    page = client.get(url("case", service, fee_case_pk=appealed.pk)).content.decode()
    appealed.refresh_from_db()
    assert (appealed.appeal_outcome, appealed.appeal_amount) == ("partly_allowed", 1500)
    assert 'data-testid="fee-case-appeal-outcome"' in page


@pytest.mark.parametrize("status", ["proposed", "notice_sent", "decided", "appealed", "final"])
def test_the_case_pages_next_step_names_where_the_fee_case_has_got_to(client, service, lead, status):
    referral = OrderReferralFactory(service=service, status=ReferralStatus.MISSED)
    missed = MeetingFactory(referral=referral, status="held", starts_at=timezone.now() - timezone.timedelta(days=20))
    fee_case = FeeCaseFactory(referral=referral, meeting=missed, status=status)
    client.force_login(lead)
    client.cookies["portal_language"] = "en"
    page = client.get(reverse("referrals:detail", args=[service.slug, fee_case.referral_id])).content.decode()
    hint = page[page.index('data-testid="next-action"') :][:900]
    assert f"The fee case is “{FeeCaseStatus(status).label}”" in html.unescape(hint)
    assert reverse("fees:case", args=[service.slug, fee_case.pk]) in hint
    assert "the fee step follows" not in hint
