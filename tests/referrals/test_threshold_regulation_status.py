"""The threshold table of Prop. 92 L (2020–2021) never took effect: the portal says so wherever it classifies.

The Storting rejected the reform in 2021; courts have used similar amounts as guidance since 2022. The table is
kept as information, marked "proposal, never in force", and a classification made with it says what the proposal
would have meant ("under the lower limit in the proposal"), never a legal effect ("no punishment").
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from referrals.models import Outcome, RegulationStatus, Substance, ThresholdRegulation, Unit
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.usefixtures("thresholds_2021")

REAL_TITLE = (
    "Prop. 92 L (2020–2021) Endringer i legemiddelloven mv. (rusreform – avkriminalisering av bruk og besittelse "
    "av mindre mengder narkotika til egen bruk)"
)


def test_the_seeded_prop_92_table_is_marked_a_proposal_never_in_force(thresholds_2021):
    assert thresholds_2021.status == RegulationStatus.PROPOSAL
    assert thresholds_2021.is_proposal
    with translation.override("nb"):
        assert thresholds_2021.get_status_display() == "Forslag, aldri i kraft"
    with translation.override("en"):
        assert thresholds_2021.get_status_display() == "Proposal, never in force"


def test_a_new_regulation_is_in_force_unless_marked_otherwise():
    regulation = ThresholdRegulation.objects.create(name="Forskrift", valid_from=datetime.date(2030, 1, 1))
    assert regulation.status == RegulationStatus.IN_FORCE
    assert not regulation.is_proposal


def test_the_seeded_table_cites_the_propositions_real_title(thresholds_2021):
    assert thresholds_2021.source == REAL_TITLE
    assert "etter Prop. 92 L" not in thresholds_2021.name  # it was proposed there, never adopted


def test_lsd_is_counted_in_blotter_papers_lapper():
    with translation.override("nb"):
        assert Unit("tab").label == "lapper"
        assert Substance.objects.get(code="lsd-tab").name == "LSD (lapper)"
    with translation.override("en"):
        assert Unit("tab").label == "tabs"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_classification_labels_describe_the_proposal_not_a_legal_effect(language):
    with translation.override(language):
        labels = {outcome: str(outcome.label) for outcome in Outcome}
    if language == "nb":
        assert labels == {
            Outcome.EXEMPT: "Under nedre grense i forslaget (straffritt etter forslaget)",
            Outcome.WAIVER: "Mellom grensene i forslaget",
            Outcome.NOT_ELIGIBLE: "Utenfor grensene i forslaget",
        }
    else:
        assert all("proposal" in label for label in labels.values()), labels
    # Never a bare legal effect: "Straffritt" (no punishment) or "Påtaleunnlatelse" (waiver of prosecution).
    assert not {"Straffritt", "Påtaleunnlatelse", "Exempt", "Waiver range"} & set(labels.values())


def test_the_case_page_shows_the_tables_status_beside_the_classification(client, service, counsellor, thresholds_2021):
    referral = ReferralFactory(
        service=service, assigned_counsellor=counsellor, classification="waiver", regulation=thresholds_2021
    )
    client.force_login(counsellor)
    client.cookies["portal_language"] = "nb"
    page = client.get(reverse("referrals:detail", args=[service.slug, referral.pk])).content.decode()
    assert "Mellom grensene i forslaget" in page
    assert "Forslag, aldri i kraft" in page
    assert "Påtaleunnlatelse" not in page


def test_the_intake_preview_names_the_tables_status(client, service, counsellor):
    client.force_login(counsellor)
    client.cookies["portal_language"] = "nb"
    data = {
        "incident_date": "2026-09-01",
        "seized-TOTAL_FORMS": "1",
        "seized-INITIAL_FORMS": "0",
        "seized-0-substance": "cannabis",
        "seized-0-quantity": "4",
        "seized-0-unit": "g",
    }
    answer = client.post(reverse("referrals:classification_preview", args=[service.slug]), data).json()
    assert answer["label"] == "Under nedre grense i forslaget (straffritt etter forslaget)"
    assert answer["regulation_status"] == "Forslag, aldri i kraft"
    assert answer["regulation_is_proposal"] is True


def test_the_admin_lists_and_filters_regulations_by_status(client, thresholds_2021):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["portal_language"] = "nb"
    url = reverse("admin:referrals_thresholdregulation_changelist")
    page = client.get(url).content.decode()
    assert "Forslag, aldri i kraft" in page
    assert thresholds_2021 in client.get(url, {"status__exact": "proposal"}).context["cl"].queryset
    assert thresholds_2021 not in client.get(url, {"status__exact": "in_force"}).context["cl"].queryset
