"""End to end, in headless Chromium: a counsellor records a no-show under the order route and the fee is proposed;
a fee officer warns the person, registers the answer and assesses hardship; then one case ends in a waived fee,
another in an imposed fee that is appealed, upheld by the appeal body and sent to collection, and a third in a final
fee appealed too late, considered all the same, forwarded with a letter and lowered by the appeal body."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from fees.models import FeeCase
from portal.models import Role
from tests.e2e.browser import log_in, log_out, screenshot
from tests.factories import CounsellingServiceFactory, MeetingFactory, StaffMembershipFactory
from tests.fees.factories import FeePolicyFactory, OrderReferralFactory

pytestmark = pytest.mark.browser

REASONS = "Du hadde ikke gyldig grunn til å utebli. Med fast arbeid og uten gjeld er gebyret ikke urimelig tyngende."


@pytest.fixture
def scene(transactional_db, court_fee_rates):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo", phone="+47 21 80 21 80")
    FeePolicyFactory(service=service)
    kari = StaffMembershipFactory(
        service=service,
        role=Role.COUNSELLOR,
        user__username="kari",
        user__first_name="Kari",
        user__last_name="Rådgiver",
    ).user
    StaffMembershipFactory(
        service=service,
        role=Role.FEE_OFFICER,
        user__username="frida",
        user__first_name="Frida",
        user__last_name="Gebyr",
    )
    StaffMembershipFactory(
        service=service, role=Role.SERVICE_LEAD, user__username="lise", user__first_name="Lise", user__last_name="Leder"
    )
    referral = OrderReferralFactory(
        service=service,
        assigned_counsellor=kari,
        person__first_name="Ola",
        person__last_name="Nordmann",
        person__street_address="Gata 2",
        person__postal_code="0150",
        person__postal_town="Oslo",
    )
    start = timezone.now() - datetime.timedelta(hours=1)
    meeting = MeetingFactory(referral=referral, counsellor=kari, booked_by=kari, starts_at=start, summons_posted=True)
    return referral, meeting


def step(page, name):
    return page.locator(f"form[data-step={name}]")


def record_no_show_and_hear_the_person(page, base, referral, meeting, *, burdensome: bool):
    """Kari records the no-show; Frida sends the notice, registers the answer and assesses hardship."""
    log_in(page, base, "kari")
    page.goto(f"{base}/service/oslo/meetings/{meeting.pk}/attendance/")
    page.locator("input[name=outcome][value=no_show]").check()
    page.locator("form[data-attendance] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/service/oslo/referrals/{referral.pk}/")
    panel = page.get_by_test_id("referral-fee-panel")
    expect(panel).to_contain_text("2")  # the planned fee is shown with the case
    fee_case = FeeCase.objects.get(meeting=meeting)
    log_out(page)

    log_in(page, base, "frida")
    page.goto(f"{base}/service/oslo/")
    page.locator("nav a[href='/service/oslo/fees/']").click()
    expect(page.get_by_test_id("queue-awaiting_notice")).to_contain_text("Ola Nordmann")
    screenshot(page, "fees-worklist")
    page.get_by_test_id("queue-awaiting_notice").locator(f"a[href$='/fees/cases/{fee_case.pk}/']").click()
    step(page, "notice").locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-letters").locator("a[data-document]")).to_have_count(1)

    answer = step(page, "answer")
    answer.locator("textarea[name=answer-valid_reason]").fill("Jeg glemte avtalen.")
    answer.locator("textarea[name=answer-situation]").fill(
        "Jeg er alenemor med to barn og har store gjeldsproblemer." if burdensome else "Jeg jobber fullt og bor alene."
    )
    answer.locator("button[type=submit]").click()
    expect(page.get_by_test_id("persons-answer")).to_contain_text("Jeg glemte avtalen.")

    assess = step(page, "assess")
    assess.locator("textarea[name=assess-financial_situation]").fill(
        "Uføretrygd, gjeld til inkasso." if burdensome else "Fast inntekt ca. 420 000 kr, ingen gjeld av betydning."
    )
    assess.locator("textarea[name=assess-life_situation]").fill(
        "Eneforsørger for to barn." if burdensome else "Bor alene, fast arbeid."
    )
    assess.locator("textarea[name=assess-reasoning]").fill(
        "Et gebyr vil gå ut over barnas nødvendige utgifter."
        if burdensome
        else "Med fast inntekt og uten gjeld kan gebyret betales."
    )
    assess.locator(f"input[name=assess-unreasonably_burdensome][value={'yes' if burdensome else 'no'}]").check()
    assess.locator("button[type=submit]").click()
    expect(page.get_by_test_id("hardship-assessment")).to_contain_text("Eneforsørger" if burdensome else "Bor alene")
    return fee_case


def test_a_no_show_ends_in_a_fee_waived_for_hardship(live_server, scene, page):
    referral, meeting = scene
    base = live_server.url
    fee_case = record_no_show_and_hear_the_person(page, base, referral, meeting, burdensome=True)

    decide = step(page, "decide")
    decide.locator("input[name=decide-outcome][value=waived_hardship]").check()
    decide.locator("textarea[name=decide-reasons]").fill(
        "Et gebyr vil være urimelig tyngende ut fra økonomi og omsorgsansvar."
    )
    screenshot(page, "fees-decision-form")
    decide.locator("button[type=submit]").click()

    expect(page.get_by_test_id("fee-case-outcome")).to_contain_text(re.compile("waived|frafalt|Fee waived", re.I))
    step(page, "final").locator("button[type=submit]").click()
    fee_case.refresh_from_db()
    assert (fee_case.status, fee_case.outcome, fee_case.decided_amount) == ("final", "waived_hardship", None)
    screenshot(page, "fees-waived-final")


def test_an_imposed_fee_is_appealed_upheld_and_sent_to_collection(live_server, scene, page):
    referral, meeting = scene
    base = live_server.url
    fee_case = record_no_show_and_hear_the_person(page, base, referral, meeting, burdensome=False)

    # Frida heard the person; the lead decides.
    log_out(page)
    log_in(page, base, "lise")
    page.goto(f"{base}/service/oslo/fees/cases/{fee_case.pk}/")
    decide = step(page, "decide")
    decide.locator("input[name=decide-outcome][value=imposed]").check()
    decide.locator("textarea[name=decide-reasons]").fill(REASONS)
    decide.locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-case-outcome")).to_contain_text("2")
    fee_case.refresh_from_db()
    assert fee_case.decided_amount == 2690

    decision = page.get_by_test_id("fee-letters").locator("li", has_text=re.compile("Decision|Vedtak"))
    with page.expect_download() as download:
        decision.locator("a[data-download]").click()
    text = " ".join(
        "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace("\xa0", " ").split()
    )
    assert "2 690 kr" in text
    assert " ".join(REASONS.split()) in text
    # Made before it is sent: the appeal period runs from the day the person gets it.
    assert "Klagefristen er tre uker fra den dagen du fikk dette brevet." in text
    expect(page.get_by_test_id("appeal-deadline")).to_contain_text(re.compile("not known yet|ikke kjent ennå"))
    screenshot(page, "fees-decided")

    # The decision is posted today: the deadline runs three weeks from its presumed arrival.
    letter = fee_case.letters.get(kind="decision")
    dispatch = page.get_by_test_id(f"letter-dispatch-{letter.pk}")
    dispatch.locator("select[name=dispatch-method]").select_option("posted")
    dispatch.locator("button[type=submit]").click()
    fee_case.refresh_from_db()
    assert fee_case.appeal_deadline is not None
    expect(page.get_by_test_id("appeal-deadline")).to_contain_text(fee_case.appeal_deadline.strftime("%d.%m.%Y"))
    expect(page.get_by_test_id(f"letter-dispatch-{letter.pk}")).to_contain_text(re.compile("Posted|Sendt i posten"))
    screenshot(page, "fees-decision-posted")

    # The person appeals; the service keeps its decision and forwards the appeal; the appeal body upholds it.
    appeal = step(page, "appeal")
    appeal.locator("textarea[name=appeal-grounds]").fill("Jeg mener gebyret er for høyt.")
    appeal.locator("button[type=submit]").click()
    step(page, "forward").locator("button[type=submit]").click()
    outcome = step(page, "appeal_outcome")
    outcome.locator("input[name=appeal_outcome-outcome][value=upheld]").check()
    outcome.locator("button[type=submit]").click()
    step(page, "final").locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-case-status")).to_contain_text(re.compile("Final|Endelig", re.I))
    screenshot(page, "fees-final")

    # The collection export: the fee once, then never again.
    page.goto(f"{base}/service/oslo/fees/collection/")
    today = timezone.localdate().isoformat()
    form = page.get_by_test_id("collection-export-form")
    form.locator("input[name=period_start]").fill(today)
    form.locator("input[name=period_end]").fill(today)
    with page.expect_download() as download:
        form.locator("button[type=submit]").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert len(lines) == 2
    assert lines[1].startswith(f"{fee_case.pk};{referral.police_reference};{referral.person.national_id};")
    assert ";2690;" in lines[1]
    page.goto(f"{base}/service/oslo/fees/collection/")
    expect(page.get_by_test_id("collection-exports").locator("tbody tr")).to_have_count(1)
    screenshot(page, "fees-collection")
    fee_case.refresh_from_db()
    assert fee_case.status == "exported"


def test_a_late_appeal_against_a_final_fee_is_considered_forwarded_and_the_fee_lowered(live_server, scene, page):
    referral, meeting = scene
    base = live_server.url
    fee_case = record_no_show_and_hear_the_person(page, base, referral, meeting, burdensome=False)
    log_out(page)
    log_in(page, base, "lise")
    page.goto(f"{base}/service/oslo/fees/cases/{fee_case.pk}/")
    decide = step(page, "decide")
    decide.locator("input[name=decide-outcome][value=imposed]").check()
    decide.locator("textarea[name=decide-reasons]").fill(REASONS)
    decide.locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-case-outcome")).to_contain_text("2")

    # Three weeks pass without an appeal: the decision becomes final. Then the appeal comes.
    FeeCase.objects.filter(pk=fee_case.pk).update(appeal_deadline=timezone.localdate() - datetime.timedelta(days=1))
    page.reload()
    step(page, "final").locator("button[type=submit]").click()
    late = step(page, "late_appeal")
    late.locator("textarea[name=late_appeal-grounds]").fill("Jeg var innlagt på sykehus og fikk ikke brevet.")
    late.locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-case-status")).to_contain_text(re.compile("Late appeal|klage", re.I))
    expect(step(page, "reject_late_appeal")).to_have_count(1)
    screenshot(page, "fees-late-appeal")
    consider = step(page, "consider_late_appeal")
    consider.locator("textarea[name=consider_late_appeal-reasons]").fill("Innlagt hele fristen; kan ikke lastes.")
    consider.locator("button[type=submit]").click()
    expect(page.get_by_test_id("late-appeal-decision")).to_be_visible()

    # The service keeps its decision: the appeal goes to the appeal body, and the person gets a letter.
    step(page, "forward").locator("button[type=submit]").click()
    forwarded = page.get_by_test_id("fee-letters").locator(
        "li", has_text=re.compile("forwarded|sendt til klageinstansen", re.I)
    )
    expect(forwarded).to_have_count(1)
    with page.expect_download() as download:
        forwarded.locator("a[data-download]").click()
    text = " ".join(
        "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace("\xa0", " ").split()
    )
    assert "er sendt til Statsforvalteren i Oslo og Viken" in text

    # The appeal body lowers the fee; a new fee left out is asked for beside its field.
    outcome = step(page, "appeal_outcome")
    outcome.locator("input[name=appeal_outcome-outcome][value=partly_allowed]").check()
    outcome.locator("button[type=submit]").click()
    expect(step(page, "appeal_outcome").locator("#id_appeal_outcome-new_amount.is-invalid")).to_have_count(1)
    outcome = step(page, "appeal_outcome")
    outcome.locator("input[name=appeal_outcome-outcome][value=partly_allowed]").check()
    outcome.locator("input[name=appeal_outcome-new_amount]").fill("1345")
    outcome.locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-case-appeal-outcome")).to_contain_text("1")
    step(page, "final").locator("button[type=submit]").click()
    screenshot(page, "fees-lowered-final")

    page.goto(f"{base}/service/oslo/fees/collection/")
    today = timezone.localdate().isoformat()
    form = page.get_by_test_id("collection-export-form")
    form.locator("input[name=period_start]").fill(today)
    form.locator("input[name=period_end]").fill(today)
    with page.expect_download() as download:
        form.locator("button[type=submit]").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert len(lines) == 2 and ";1345;" in lines[1]
