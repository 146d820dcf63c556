"""The referrals app's personal data (portal.personal_data): the person, the case, its seizures, guardians and
timeline. Registered from ReferralsConfig.ready()."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad, TruncYear

from portal.personal_data import ANONYMISED, Anonymise, PersonalData, TextsInJson, staff

from .models import Guardian, Person, Referral, ReferralEvent, SeizedSubstance, ThresholdRegulation

# An anonymised person's national ID: `X` and the row id padded to eleven characters. The column stays unique,
# and the value can never be a real number (those are digits only), so no national-ID look-up finds it again.
# Written with .update(), past the model's validator, which stays strict for every other write.
ANONYMISED_ID_PREFIX = "X"
# Timeline parameters that hold free text someone typed (the rest are dates, labels and staff names).
FREE_TEXT_PARAMS = ("reason",)


def anonymised_police_reference(case_id: str) -> Concat:
    """The police reference of an anonymised case, from the case's id: still unique in its district."""
    return Concat(Value("anonymisert-"), Cast(case_id, output_field=CharField()))


def _person(person: Person) -> dict:
    return {
        "national_id": person.national_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth,
        "phone": person.phone,
        "email": person.email,
        "address": person.postal_address,
        "municipality": str(person.municipality) if person.municipality_id else "",
        "preferred_language": person.get_preferred_language_display(),
        "registered_at": person.created_at,
    }


def _referral(referral: Referral) -> dict:
    return {
        "police_reference": str(referral),
        "route": referral.get_route_display(),
        "incident_date": referral.incident_date,
        "decision_date": referral.decision_date,
        "attendance_deadline": referral.attendance_deadline,
        "classification": referral.get_classification_display(),
        "status": referral.get_status_display(),
        "assigned_counsellor": staff(referral.assigned_counsellor),
        "registered_at": referral.created_at,
        "legal_hold": referral.legal_hold_reason if referral.legal_hold else "",
    }


def _guardian(guardian: Guardian) -> dict:
    return {
        "name": guardian.name,
        "relation": guardian.relation,
        "phone": guardian.phone,
        "email": guardian.email,
        "address": guardian.postal_address,
    }


def _event(event: ReferralEvent) -> dict:
    return {"time": event.occurred_at, "by": staff(event.actor), "what": event.description}


CONTACT_DETAILS_EMPTIED = {"phone": "", "email": "", "street_address": "", "postal_code": "", "postal_town": ""}

DECLARATIONS = (
    # The data subject as one service knows them. Anonymised once every case on the record has passed its period
    # (privacy.retention decides when); another service's record of the same person is its own.
    PersonalData(
        model=Person,
        export=_person,
        select_related=("municipality",),
        anonymise=(
            Anonymise(
                "persons",
                {
                    "national_id": Concat(
                        Value(ANONYMISED_ID_PREFIX), LPad(Cast("pk", output_field=CharField()), 10, Value("0"))
                    ),
                    "first_name": ANONYMISED,
                    "last_name": "",
                    # The birth year stays for statistics by age; the day is what identifies.
                    "date_of_birth": TruncYear("date_of_birth"),
                    **CONTACT_DETAILS_EMPTIED,
                },
            ),
        ),
        kept={
            "municipality": "Statistics by municipality; a municipality has too many residents to point at one.",
            "preferred_language": "The language letters are written in; it points at no one.",
        },
    ),
    # The case: the root of everything the later floors hold about it.
    PersonalData(
        model=Referral,
        export=_referral,
        select_related=("assigned_counsellor",),
        anonymise=(Anonymise("referrals", {"police_reference": anonymised_police_reference("pk")}),),
        kept={
            "person": "The case stays linked to the service's record of the person, anonymised once all its cases are.",
            "legal_hold_reason": "A held case is never swept, and lifting the hold empties the reason.",
        },
    ),
    PersonalData(
        model=SeizedSubstance,
        belongs_to="referral",
        export_key="seized",
        export=str,
        select_related=("substance",),
    ),
    PersonalData(
        model=Guardian,
        belongs_to="referral",
        export_key="guardians",
        export=_guardian,
        anonymise=(Anonymise("guardians", {"name": ANONYMISED, **CONTACT_DETAILS_EMPTIED}),),
        kept={"relation": "Mother, father or appointed guardian: once the name is gone it points at no one."},
    ),
    PersonalData(
        model=ReferralEvent,
        belongs_to="referral",
        export_key="timeline",
        export=_event,
        select_related=("actor",),
        anonymise=(Anonymise("timeline_texts", {"params": TextsInJson(FREE_TEXT_PARAMS)}),),
        kept={
            "message": "The English source text with its placeholders, the same for every case.",
            "extra": "Ids of the rows the event is about, and the classification: no names, no text anyone typed.",
        },
    ),
    PersonalData(model=ThresholdRegulation, kept={"name": "The regulation's title."}),
)
