"""Every field that looks like personal data is declared by the app that owns it (portal.personal_data), so retention
and the person export cannot miss a field added later.

A field of a model in the portal's own apps (portal, referrals, scheduling, attendance, fees, privacy) looks like
personal data when it is

- a relation (foreign key, one-to-one or many-to-many) to `referrals.Person` or `referrals.Guardian`;
- named like a name, an address or an identity: `name`, `first_name`, `last_name`, `full_name`, `address`,
  `street_address`, `postal_code`, `postal_town`, `phone`, `email`, `national_id`, `date_of_birth`,
  `police_reference`, or ending in `_name`, `_address`, `_phone`, `_email` or `_national_id`;
- free text: any `TextField`, and a `CharField` named, or ending in, `note`, `reason`, `reasons`, `grounds`,
  `comment`, `situation`, `account`, `description` or `error`;
- a `JSONField`: it can hold anything, and the timeline's parameters hold reasons someone typed;
- a `FileField`: a generated document names the person it is addressed to.

Declared means the model's declaration anonymises the field, deletes its files, or keeps it with a reason (the
audit log's `actor_label` is staff, not the data subject; a service's phone number is the service's).
"""

from django.apps import apps
from django.db import models
from django.db.models import ForeignObjectRel

from portal import personal_data
from referrals.models import Guardian, Person, Referral

PROJECT_APPS = ("portal", "referrals", "scheduling", "attendance", "fees", "privacy")
NAMES = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "full_name",
        "address",
        "street_address",
        "postal_code",
        "postal_town",
        "phone",
        "email",
        "national_id",
        "date_of_birth",
        "police_reference",
    }
)
NAME_ENDINGS = ("_name", "_address", "_phone", "_email", "_national_id")
FREE_TEXT_WORDS = ("note", "reason", "reasons", "grounds", "comment", "situation", "account", "description", "error")


def looks_like_personal_data(field: models.Field) -> bool:
    if field.is_relation:
        return field.related_model in (Person, Guardian)
    if field.name in NAMES or field.name.endswith(NAME_ENDINGS):
        return True
    if isinstance(field, models.TextField | models.JSONField | models.FileField):
        return True
    return isinstance(field, models.CharField) and any(
        field.name == word or field.name.endswith(f"_{word}") for word in FREE_TEXT_WORDS
    )


def personal_looking_fields() -> dict[str, set[str]]:
    """model label -> its fields that look like personal data."""
    found: dict[str, set[str]] = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            names = {
                field.name
                for field in model._meta.get_fields()
                if not isinstance(field, ForeignObjectRel) and looks_like_personal_data(field)
            }
            if names:
                found[model._meta.label] = names
    return found


def test_every_field_that_looks_like_personal_data_is_declared_by_its_app():
    declared = {declaration.label: declaration.fields for declaration in personal_data.declarations()}
    missing = sorted(
        f"{label}.{name}"
        for label, names in personal_looking_fields().items()
        for name in names - declared.get(label, frozenset())
    )
    assert missing == [], (
        "These fields look like personal data but no declaration speaks for them. Declare them in the owning app's "
        "personal_data.py (anonymise, files, or kept with a reason): " + ", ".join(missing)
    )


def test_the_rule_finds_what_it_is_meant_to():
    found = personal_looking_fields()
    assert {"national_id", "date_of_birth", "phone", "street_address"} <= found["referrals.Person"]
    assert {"person"} <= found["referrals.Referral"]
    assert {"guardians_present", "absence_reason"} <= found["attendance.Attendance"]
    assert {"guardian", "recipient_name", "pdf", "email_error"} <= found["scheduling.Letter"]
    assert {"params", "extra"} <= found["referrals.ReferralEvent"]
    assert "referrals.SeizedSubstance" not in found


def test_each_declared_row_reaches_its_case_or_is_a_root():
    for declaration in personal_data.declarations():
        # Every model on the way is declared itself (lookup_to raises otherwise).
        to_case = personal_data.lookup_to(declaration, Referral)
        to_person = personal_data.lookup_to(declaration, Person)
        if declaration.anonymise or declaration.files:
            assert to_case or to_person, f"{declaration.label}: retention would never reach its rows"
        if declaration.files:
            assert to_case, f"{declaration.label}: the letters period counts from the case"


def test_each_step_of_the_sweep_is_counted_under_a_name_of_its_own():
    names = [step.count_as for declaration in personal_data.declarations() for step in declaration.anonymise]
    assert len(names) == len(set(names))
    # retention counts these itself
    assert not {"cases", "letter_files"} & set(names)


def test_every_declaration_is_of_a_model_of_the_portal():
    labels = {declaration.model._meta.app_label for declaration in personal_data.declarations()}
    assert labels <= set(PROJECT_APPS)
