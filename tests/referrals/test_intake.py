"""The intake form: what a counsellor types, what is kept, and what is refused beside the field it is about."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent, Role
from referrals.identity import example_national_id
from referrals.models import Guardian, Person, Referral
from tests.factories import MunicipalityFactory, ReferralFactory, StaffMembershipFactory

pytestmark = pytest.mark.usefixtures("thresholds_2021")

ADULT_ID = example_national_id(datetime.date(1990, 4, 12), 123)
MINOR_ID = example_national_id(datetime.date(2010, 3, 3), 512)  # 16 at the incident


def intake_url(service, name="create"):
    return reverse(f"referrals:{name}", kwargs={"service_slug": service.slug})


def rows(prefix, items):
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def intake(chosen, *, seized=(("cannabis", "4", "g"),), guardians=(), **fields):
    data = {
        "national_id": ADULT_ID,
        "first_name": "Ola",
        "last_name": "Nordmann",
        "phone": "912 34 567",
        "preferred_language": "nb",
        "service": str(chosen.pk),
        "route": "order",
        "police_district": "oslo",
        "police_reference": "2026-000123",
        "incident_date": "2026-09-01",
        "decision_date": "2026-09-10",
        "attendance_deadline": "2026-12-10",
    }
    data.update(fields)
    data.update(rows("seized", [{"substance": c, "quantity": q, "unit": u} for c, q, u in seized]))
    data.update(rows("guardians", list(guardians)))
    return data


MOTHER = {"name": "Kari Nordmann", "relation": "mor", "phone": "+47 912 34 568"}
FATHER = {"name": "Per Nordmann", "relation": "far", "email": "per@example.org"}


def nothing_saved():
    return not Referral.objects.exists() and not Person.objects.exists() and not Guardian.objects.exists()


def test_an_adult_order_is_registered_and_the_counsellor_lands_on_the_case(client, service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=[service.slug, referral.pk])
    assert referral.classification == "exempt"
    assert referral.person.phone == "+4791234567"
    assert referral.created_by == counsellor
    assert [(s.substance.code, s.quantity) for s in referral.seized.all()] == [("cannabis", 4)]


def test_a_minor_with_two_guardians_and_three_substances_is_registered(client, service, counsellor):
    client.force_login(counsellor)
    data = intake(
        service,
        national_id=MINOR_ID,
        route="condition",
        seized=[("cannabis", "12", "g"), ("mdma", "0,3", "g"), ("lsd-tab", "1", "tab")],
        guardians=[MOTHER, FATHER],
    )
    response = client.post(intake_url(service), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.classification == "waiver"
    assert referral.was_minor_at_incident
    assert sorted(g.name for g in referral.guardians.all()) == ["Kari Nordmann", "Per Nordmann"]
    assert referral.guardians.get(relation="mor").phone == "+4791234568"
    assert referral.seized.count() == 3


def test_a_removed_row_leaves_a_gap_that_is_skipped(client, service, counsellor):
    client.force_login(counsellor)
    data = intake(service, seized=[])
    data.update(
        {
            "seized-TOTAL_FORMS": "3",
            "seized-0-substance": "cannabis",
            "seized-0-quantity": "3",
            "seized-0-unit": "g",
            # row 1 was removed in the browser
            "seized-2-substance": "khat",
            "seized-2-quantity": "0,2",
            "seized-2-unit": "kg",
        }
    )
    assert client.post(intake_url(service), data).status_code == 302
    assert sorted(s.substance.code for s in Referral.objects.get().seized.all()) == ["cannabis", "khat"]


def test_a_minor_without_guardians_is_refused_beside_the_guardians(client, service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service, national_id=MINOR_ID))
    assert response.status_code == 200
    assert "under 18" in " ".join(response.context["guardians"].non_form_errors())
    assert nothing_saved()


def test_an_invalid_national_id_is_refused_in_bokmal_beside_the_field(client, service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service, national_id="12345678901"))
    with translation.override("nb"):
        expected = translation.gettext("This is not a valid national identity number or D-number. Check the digits.")
    assert expected != "This is not a valid national identity number or D-number. Check the digits."
    assert response.context["form"].errors["national_id"] == [expected]
    assert expected in response.content.decode()
    assert nothing_saved()


def test_a_duplicate_police_reference_is_refused_beside_the_field(client, service, counsellor):
    ReferralFactory(service=service, police_district="oslo", police_reference="2026-000123")
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service, national_id=ADULT_ID))
    assert response.status_code == 200
    assert "police_reference" in response.context["form"].errors
    assert Referral.objects.count() == 1
    assert not Person.objects.filter(national_id=ADULT_ID).exists()


def test_an_order_whose_seizure_is_not_exempt_is_refused_with_the_reason(client, service, counsellor):
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    response = client.post(intake_url(service), intake(service, seized=[("cannabis", "12", "g")]))
    errors = " ".join(response.context["seized"].non_form_errors())
    assert "exempt" in errors
    assert "above the lower threshold of 10" in errors
    assert nothing_saved()


def test_a_condition_outside_the_scheme_is_saved_with_a_warning_on_the_case(client, service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service, route="condition", seized=[("heroin", "6", "g")]))
    referral = Referral.objects.get()
    assert referral.classification == "not_eligible"
    page = client.get(response.url)
    assert b'data-testid="classification-warning"' in page.content


def test_a_phone_number_that_cannot_be_called_is_refused(client, service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service, phone="12"))
    assert "phone" in response.context["form"].errors
    assert nothing_saved()


def test_a_quantity_with_more_than_four_decimals_is_refused(client, service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(service, seized=[("lsd-pure", "0.00001", "mg")]))
    assert response.context["seized"].forms[0].errors["quantity"]
    assert nothing_saved()


def test_the_service_can_be_one_the_counsellor_also_works_in(client, service, other_service, counsellor):
    StaffMembershipFactory(user=counsellor, service=other_service, role=Role.COUNSELLOR)
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(other_service))
    referral = Referral.objects.get()
    assert referral.service == other_service
    assert response.url == reverse("referrals:detail", args=[other_service.slug, referral.pk])


def test_a_service_the_counsellor_does_not_work_in_cannot_be_chosen(client, service, other_service, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(service), intake(other_service))
    assert "service" in response.context["form"].errors
    assert nothing_saved()


def test_the_form_suggests_the_service_serving_each_municipality(client, service, counsellor):
    municipality = MunicipalityFactory()
    service.municipalities.add(municipality)
    client.force_login(counsellor)
    response = client.get(intake_url(service))
    assert response.context["service_for_municipality"][municipality.number] == service.pk
    assert response.context["service_for_municipality"][municipality.name.lower()] == service.pk
    assert response.context["form"].initial["service"] == service


@pytest.mark.parametrize("typed", ["0301 Oslo", "0301", "oslo", "  0301   OSLO "])
def test_the_person_is_registered_with_the_municipality_typed_by_number_or_name(client, service, counsellor, typed):
    oslo = MunicipalityFactory(number="0301", name="Oslo")
    MunicipalityFactory(number="4601", name="Bergen")
    client.force_login(counsellor)
    client.post(intake_url(service), intake(service, municipality=typed))
    assert Person.objects.get().municipality == oslo


def test_the_municipality_box_suggests_each_municipality_by_number_and_name(client, service, counsellor):
    MunicipalityFactory(number="0301", name="Oslo")
    client.force_login(counsellor)
    page = client.get(intake_url(service)).content.decode()
    assert 'list="id_municipality-options"' in page
    assert '<datalist id="id_municipality-options"><option value="0301 Oslo"></option>' in page


@pytest.mark.parametrize("typed", ["Osl", "0302", "0301 Bergen", "Ås", "x" * 500, "Oslo\x00"])
def test_a_municipality_not_in_the_list_is_refused_and_nothing_saved(client, service, counsellor, typed):
    MunicipalityFactory(number="0301", name="Oslo")
    # Two municipalities of one name: only the number tells them apart.
    MunicipalityFactory(number="3021", name="Ås")
    MunicipalityFactory(number="5021", name="Ås")
    client.force_login(counsellor)
    with translation.override("nb"):
        response = client.post(intake_url(service), intake(service, municipality=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["municipality"] == [
        'Velg en kommune fra forslagene, for eksempel "0301 Oslo".'
    ]
    assert nothing_saved()


# Looking the person up while the national ID is typed.


def test_a_person_known_to_the_service_is_found_with_earlier_referrals_and_the_read_is_logged(
    client, service, counsellor
):
    earlier = ReferralFactory(service=service, police_reference="2025-000001", assigned_counsellor=counsellor)
    client.force_login(counsellor)
    answer = client.post(intake_url(service, "person_lookup"), {"national_id": earlier.person.national_id}).json()
    assert answer["person"]["last_name"] == earlier.person.last_name
    assert [e["reference"] for e in answer["earlier"]] == [str(earlier)]
    looked_up = AuditEvent.objects.filter(action="person.looked_up", person_id=earlier.person_id, actor=counsellor)
    assert looked_up.count() == 1


def test_a_counsellor_not_on_the_persons_cases_gets_the_references_but_not_the_details(client, service, counsellor):
    earlier = ReferralFactory(service=service, police_reference="2025-000002")  # someone else's case
    client.force_login(counsellor)
    answer = client.post(intake_url(service, "person_lookup"), {"national_id": earlier.person.national_id}).json()
    assert answer["person"] is None
    assert [e["reference"] for e in answer["earlier"]] == [str(earlier)]


def test_a_person_known_only_to_another_service_is_not_revealed(client, service, other_service, counsellor):
    elsewhere = ReferralFactory(service=other_service)
    client.force_login(counsellor)
    answer = client.post(intake_url(service, "person_lookup"), {"national_id": elsewhere.person.national_id}).json()
    assert answer["valid"] is True
    assert answer["person"] is None
    assert answer["earlier"] == []
    assert not AuditEvent.objects.filter(action="person.looked_up").exists()


def test_an_unknown_valid_number_gives_the_birth_date(client, service, counsellor):
    client.force_login(counsellor)
    answer = client.post(intake_url(service, "person_lookup"), {"national_id": MINOR_ID}).json()
    assert answer == {"valid": True, "date_of_birth": "2010-03-03", "person": None, "earlier": []}


def test_an_invalid_number_is_answered_with_the_reason(client, service, counsellor):
    client.force_login(counsellor)
    answer = client.post(intake_url(service, "person_lookup"), {"national_id": "12345678901"}).json()
    assert answer["valid"] is False
    assert answer["message"]


def test_the_lookup_refuses_get_so_numbers_stay_out_of_urls(client, service, counsellor):
    client.force_login(counsellor)
    assert client.get(intake_url(service, "person_lookup"), {"national_id": ADULT_ID}).status_code == 405


# The classification shown while typing.


def preview(client, service, seized, incident_date="2026-09-01"):
    data = {"incident_date": incident_date}
    data.update(rows("seized", [{"substance": c, "quantity": q, "unit": u} for c, q, u in seized]))
    client.cookies["portal_language"] = "en"
    return client.post(intake_url(service, "classification_preview"), data).json()


def test_the_preview_classifies_and_suggests_a_route(client, service, counsellor):
    client.force_login(counsellor)
    answer = preview(client, service, [("cannabis", "12", "g")])
    assert answer["outcome"] == "waiver"
    assert answer["suggested_route"] == "condition"
    assert answer["reasons"] == ["Cannabis: 12 g is above the lower threshold of 10 g."]
    assert preview(client, service, [("cannabis", "4", "g")])["suggested_route"] == "order"


def test_the_preview_outside_the_scheme_suggests_no_route(client, service, counsellor):
    client.force_login(counsellor)
    answer = preview(client, service, [("heroin", "6", "g")])
    assert answer["outcome"] == "not_eligible"
    assert answer["suggested_route"] is None


def test_the_preview_leaves_out_rows_still_being_typed(client, service, counsellor):
    client.force_login(counsellor)
    assert preview(client, service, [("cannabis", "", "g")])["outcome"] is None
    assert preview(client, service, [("cannabis", "4", "g"), ("heroin", "", "")])["outcome"] == "exempt"


def test_the_preview_explains_a_unit_that_cannot_convert(client, service, counsellor):
    client.force_login(counsellor)
    answer = preview(client, service, [("cannabis", "4", "dl")])
    assert answer["outcome"] is None
    assert "cannot be converted" in answer["errors"][0]


def test_the_preview_uses_the_regulation_in_force_on_the_incident_date(client, service, counsellor):
    client.force_login(counsellor)
    answer = preview(client, service, [("cannabis", "4", "g")], incident_date="2020-06-01")
    assert answer["outcome"] == "not_eligible"
    assert "No threshold regulation" in answer["reasons"][0]


def test_a_counsellors_new_case_is_theirs_and_in_their_own_caseload(client, service, counsellor):
    client.force_login(counsellor)
    form = client.get(intake_url(service)).context["form"]
    assert form["assign_to_me"].initial is True
    client.post(intake_url(service), intake(service, assign_to_me="on"))
    referral = Referral.objects.get()
    assert (referral.assigned_counsellor, referral.status) == (counsellor, "assigned")
    assert [e.kind for e in referral.events.all()] == ["referral.registered", "referral.assigned"]
    caseload = client.get(intake_url(service, "caseload"))  # a counsellor's default: their own cases
    assert list(caseload.context["page"]) == [referral]


def test_unticked_the_new_case_waits_for_the_lead_to_assign_it(client, service, counsellor):
    client.force_login(counsellor)
    client.post(intake_url(service), intake(service))  # a tick box left unticked is not posted
    referral = Referral.objects.get()
    assert (referral.assigned_counsellor, referral.status) == (None, "received")


def test_a_leads_new_case_is_not_assigned_unless_they_tick_it(client, service, lead):
    client.force_login(lead)
    assert client.get(intake_url(service)).context["form"]["assign_to_me"].initial is False


def test_a_registration_assigned_to_someone_who_cannot_hold_cases_there_is_refused_whole(service, other_service):
    """The form offers only the services where the user holds cases; the service refuses any other, beside the tick
    box, with nothing half-saved."""
    from referrals.services import PersonDetails, ReferralDetails, referral_register

    outsider = StaffMembershipFactory(service=other_service, role=Role.COUNSELLOR).user
    with pytest.raises(ValidationError) as refused:
        referral_register(
            actor=outsider,
            service=service,
            person_details=PersonDetails(national_id=ADULT_ID, first_name="Ola", last_name="Nordmann"),
            details=ReferralDetails(
                route="condition",
                police_district="oslo",
                police_reference="2026-000124",
                incident_date=datetime.date(2026, 9, 1),
                decision_date=datetime.date(2026, 9, 10),
                attendance_deadline=datetime.date(2026, 12, 10),
                seizure_unknown=True,
            ),
            assign_to=outsider,
        )
    assert "assign_to_me" in refused.value.message_dict
    assert nothing_saved()
