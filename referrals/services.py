"""Changes to referrals. Each function is one transaction, writes the case timeline and the audit log."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from guardian.shortcuts import assign_perm, remove_perm

from portal.audit import audit_change
from portal.models import CounsellingService, Municipality
from portal.phone import normalise_phone
from portal.selectors import counsellors_of, staff_name

from .identity import birth_date_from_national_id, normalise_national_id
from .models import (
    REFERRAL_TRANSITIONS,
    Guardian,
    Outcome,
    Person,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Route,
    SeizedSubstance,
    Substance,
)
from .thresholds import classify, parse_quantity

CASE_PERMISSION = "referrals.work_on_referral"
DUPLICATE_REFERENCE = gettext_lazy("A referral with this police reference already exists in this district.")


@dataclass
class PersonDetails:
    national_id: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date | None = None
    phone: str = ""
    email: str = ""
    street_address: str = ""
    postal_code: str = ""
    postal_town: str = ""
    preferred_language: str = "nb"
    municipality: Municipality | None = None


@dataclass
class GuardianDetails:
    name: str
    relation: str
    phone: str = ""
    email: str = ""
    street_address: str = ""
    postal_code: str = ""
    postal_town: str = ""


@dataclass
class ReferralDetails:
    route: str
    police_district: str
    police_reference: str
    incident_date: datetime.date
    decision_date: datetime.date
    attendance_deadline: datetime.date
    seized: list[tuple[str, Decimal | str, str]] = field(default_factory=list)
    seizure_unknown: bool = False
    guardians: list[GuardianDetails] = field(default_factory=list)


def translatable(label) -> dict:
    """A timeline parameter translated when read, from a choice label such as `Route.ORDER.label`."""
    with translation.override(None):
        return {"t": str(label)}


def timeline_add(
    *, referral: Referral, actor, kind: str, message: str, params: dict | None = None, extra: dict | None = None
) -> ReferralEvent:
    """Add to the case timeline. `message` is English source text marked with gettext_noop; it is
    translated with `params` when the timeline is read."""
    return ReferralEvent.objects.create(
        referral=referral, actor=actor, kind=kind, message=message, params=params or {}, extra=extra or {}
    )


@transaction.atomic
def referral_move(
    *,
    actor,
    referral: Referral,
    to: str,
    message: str | None,
    kind: str = "referral.status",
    params: dict | None = None,
) -> bool:
    """Move the case to status `to` along REFERRAL_TRANSITIONS: saves the status, writes the audit log and, with a
    `message` (English source text marked with gettext_noop), the timeline. `message` is None when the step's own
    timeline entry tells the move ("Meeting booked …", "Assigned to …"), so the case's timeline reads as before.

    A move to the status the case already has is no move: nothing is saved or written, and the answer is False.
    (A fee case that ends on a case already closed has nothing left to close.) Any other move the table does not
    have is refused with a ValidationError saying where the case can go. The caller holds the case's row lock."""
    current = referral.status
    if to == current:
        return False
    allowed = {status for status in REFERRAL_TRANSITIONS[current] if referral.may_move_to(status)}
    if to not in allowed:
        labels = {"status": str(ReferralStatus(current).label), "to": str(ReferralStatus(to).label)}
        if not allowed:
            raise ValidationError(
                _("A case that is “%(status)s” does not move any more; it cannot become “%(to)s”."),
                code="wrong_move",
                params=labels,
            )
        raise ValidationError(
            _("A case that is “%(status)s” cannot become “%(to)s”; from there it can become: %(allowed)s."),
            code="wrong_move",
            params={
                **labels,
                "allowed": ", ".join(str(label) for value, label in ReferralStatus.choices if value in allowed),
            },
        )
    referral.status = to
    referral.save(update_fields=["status"])
    if message is not None:
        timeline_add(referral=referral, actor=actor, kind=kind, message=message, params=params)
    audit_change(
        actor=actor,
        action="referral.status_changed",
        obj=referral,
        person_id=referral.person_id,
        extra={"from": current, "to": to},
    )
    return True


def person_upsert(*, service: CounsellingService, details: PersonDetails) -> Person:
    """The service's record of the person with this national identity number, created or brought up to date from
    `details`. Another service's record of the same number is never read or changed: each service is the controller
    of its own."""
    try:
        national_id = normalise_national_id(details.national_id)
    except ValidationError as error:
        raise ValidationError({"national_id": error.messages}) from None
    date_of_birth = birth_date_from_national_id(national_id) or details.date_of_birth
    if date_of_birth is None:
        raise ValidationError({"date_of_birth": _("Enter the date of birth.")})
    try:
        phone = normalise_phone(details.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    fields = {
        "first_name": details.first_name.strip(),
        "last_name": details.last_name.strip(),
        "date_of_birth": date_of_birth,
        "phone": phone,
        "email": details.email.strip(),
        "street_address": details.street_address.strip(),
        "postal_code": details.postal_code.strip(),
        "postal_town": details.postal_town.strip(),
        "municipality": details.municipality,
        "preferred_language": details.preferred_language,
    }
    person = Person.objects.select_for_update().filter(service=service, national_id=national_id).first()
    if person is None:
        person = Person(service=service, national_id=national_id, **fields)
    else:
        for name, value in fields.items():
            # Keep what is known when the new referral leaves a contact field empty.
            if value or name in {"first_name", "last_name", "date_of_birth"}:
                setattr(person, name, value)
    person.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Someone registered the same number a moment ago: bring their row up to date instead.
        if person.pk is not None:
            raise
        return person_upsert(service=service, details=details)
    return person


@dataclass
class ContactDetails:
    """Contact details as corrected on the case page: the person's all of them, a guardian's the first five."""

    phone: str = ""
    email: str = ""
    street_address: str = ""
    postal_code: str = ""
    postal_town: str = ""
    municipality: Municipality | None = None
    preferred_language: str = "nb"


PERSON_CONTACT_FIELDS = (
    "phone",
    "email",
    "street_address",
    "postal_code",
    "postal_town",
    "municipality",
    "preferred_language",
)
GUARDIAN_CONTACT_FIELDS = PERSON_CONTACT_FIELDS[:5]


def _contact_apply(record, details: ContactDetails, fields: tuple[str, ...], *, key: str = "") -> list[str]:
    """Set `fields` of `record` from `details`, checked as the intake checks them; the names of those that changed.
    Errors are keyed by the field, after `key` (a guardian's form prefix)."""
    values = {name: getattr(details, name) for name in fields}
    values.update({name: values[name].strip() for name in fields if isinstance(values[name], str)})
    try:
        values["phone"] = normalise_phone(values["phone"])
    except ValidationError as error:
        raise ValidationError({f"{key}phone": error.messages}) from None
    changed = [name for name in fields if getattr(record, name) != values[name]]
    for name in changed:
        setattr(record, name, values[name])
    try:
        record.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError({f"{key}{name}": messages for name, messages in error.message_dict.items()}) from None
    return changed


@transaction.atomic
def case_contact_details_update(
    *, actor, referral: Referral, person: ContactDetails, guardians: dict[int, ContactDetails] | None = None
) -> dict[str, list[str]]:
    """Correct the contact details of the case's person (the service's own record of them) and of its guardians:
    how a missing address gets fixed. Checked as the intake checks them and refused whole, with each error keyed by
    its field (a guardian's after "guardian-<id>-"). Each record that changed gets an audit event naming the fields,
    never their values, and the case's timeline says so. Returns the changed fields by record."""
    referral = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    record = Person.objects.select_for_update().get(pk=referral.person_id)
    changed = {"person": _contact_apply(record, person, PERSON_CONTACT_FIELDS)}
    own_guardians = {guardian.pk: guardian for guardian in referral.guardians.select_for_update()}
    for pk, details in (guardians or {}).items():
        guardian = own_guardians.get(pk)
        if guardian is None:
            raise ValidationError(_("That guardian is not one of this case's."))
        changed[f"guardian-{pk}"] = _contact_apply(guardian, details, GUARDIAN_CONTACT_FIELDS, key=f"guardian-{pk}-")
    if changed["person"]:
        record.save(update_fields=changed["person"])
        audit_change(
            actor=actor,
            action="person.contact_changed",
            obj=record,
            person_id=record.pk,
            extra={"referral": referral.pk, "fields": changed["person"]},
        )
        timeline_add(
            referral=referral,
            actor=actor,
            kind="person.contact_changed",
            message=gettext_noop("The person's contact details were corrected."),
            extra={"fields": changed["person"]},
        )
    for pk, fields in changed.items():
        if pk == "person" or not fields:
            continue
        guardian = own_guardians[int(pk.removeprefix("guardian-"))]
        guardian.save(update_fields=fields)
        audit_change(
            actor=actor,
            action="guardian.contact_changed",
            obj=referral,
            person_id=referral.person_id,
            extra={"guardian": guardian.pk, "fields": fields},
        )
        timeline_add(
            referral=referral,
            actor=actor,
            kind="guardian.contact_changed",
            message=gettext_noop("A guardian's contact details were corrected."),
            extra={"guardian": guardian.pk, "fields": fields},
        )
    return changed


def _guardian_from(details: GuardianDetails, *, referral: Referral | None) -> Guardian:
    fields = {name: value.strip() for name, value in vars(details).items()}
    # A number that cannot be read is left as written, so that full_clean() reports it with the rest.
    with contextlib.suppress(ValidationError):
        fields["phone"] = normalise_phone(fields["phone"])
    return Guardian(referral=referral, **fields)


def _seized_rows(seized, errors: dict[str, list[str]]) -> list[SeizedSubstance]:
    """The seizure as rows, checked against the columns (at most four decimals)."""
    substances = {s.code: s for s in Substance.objects.filter(code__in=[code for code, _q, _u in seized])}
    rows = [
        SeizedSubstance(substance=substances[code], quantity=parse_quantity(quantity), unit=unit)
        for code, quantity, unit in seized
    ]
    for row in rows:
        try:
            row.full_clean(exclude=["referral"])
        except ValidationError as error:
            errors.setdefault("seized", []).extend(
                f"{row.substance.name}: {message}" for messages in error.message_dict.values() for message in messages
            )
    return rows


def _check_referral(details: ReferralDetails, person: Person) -> dict[str, list[str]]:
    """The rules between fields that the model's own field validation cannot see."""
    errors: dict[str, list[str]] = {}
    if details.attendance_deadline < details.decision_date:
        errors.setdefault("attendance_deadline", []).append(
            _("The attendance deadline cannot be before the order or decision date.")
        )
    if details.incident_date > details.decision_date:
        errors.setdefault("decision_date", []).append(_("The order or decision cannot be dated before the incident."))
    if person.age_on(details.incident_date) < 18 and not details.guardians:
        errors.setdefault("guardians", []).append(
            _("The person was under 18 on the incident date: register at least one guardian.")
        )
    for number, guardian in enumerate(details.guardians, start=1):
        try:
            _guardian_from(guardian, referral=None).full_clean(exclude=["referral"])
        except ValidationError as error:
            for messages in error.message_dict.values():
                errors.setdefault("guardians", []).extend(
                    _("Guardian %(number)d: %(message)s") % {"number": number, "message": message}
                    for message in messages
                )
    if details.route == Route.ORDER and (details.seizure_unknown or not details.seized):
        errors.setdefault("seized", []).append(
            _("An order to attend needs the seized substances: only quantities within the lower thresholds qualify.")
        )
    if Referral.objects.filter(
        police_district=details.police_district, police_reference=details.police_reference.strip()
    ).exists():
        errors.setdefault("police_reference", []).append(DUPLICATE_REFERENCE)
    return errors


@transaction.atomic
def referral_register(
    *,
    actor,
    service: CounsellingService,
    person_details: PersonDetails,
    details: ReferralDetails,
    assign_to=None,
) -> Referral:
    """Register a referral from the police: the person (found again by national ID), the seizure and its
    classification, the guardians of a minor, and, with `assign_to`, its counsellor (referral_assign). Refused
    whole, with every field error at once."""
    person = person_upsert(service=service, details=person_details)
    seized = [] if details.seizure_unknown else details.seized
    referral = Referral(
        service=service,
        person=person,
        route=details.route,
        police_district=details.police_district,
        police_reference=details.police_reference.strip(),
        incident_date=details.incident_date,
        decision_date=details.decision_date,
        attendance_deadline=details.attendance_deadline,
        seizure_unknown=details.seizure_unknown,
        created_by=actor,
    )
    errors = _check_referral(details, person)
    try:
        # Choices and lengths; the constraints are checked above, with messages that name the field.
        referral.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if seized:
        try:
            result = classify(seized, on=details.incident_date)
        except ValidationError as error:
            errors.setdefault("seized", []).extend(error.messages)
        else:
            referral.classification = result.outcome
            referral.regulation = result.regulation
            if details.route == Route.ORDER and result.outcome != Outcome.EXEMPT:
                errors.setdefault("seized", []).append(
                    _("An order to attend needs a seizure within the lower thresholds (exempt). %(reasons)s")
                    % {"reasons": " ".join(str(reason) for reason in result.reasons)}
                )
    seized_rows = _seized_rows(seized, errors) if seized and "seized" not in errors else []
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # Two counsellors registering the same police reference at once: the constraint decides. (Asked again
        # rather than read from the error, whose text names the constraint on PostgreSQL but not on SQLite.)
        if not Referral.objects.filter(
            police_district=referral.police_district, police_reference=referral.police_reference
        ).exists():
            raise
        raise ValidationError({"police_reference": [DUPLICATE_REFERENCE]}) from None
    for row in seized_rows:
        row.referral = referral
    SeizedSubstance.objects.bulk_create(seized_rows)
    Guardian.objects.bulk_create(_guardian_from(g, referral=referral) for g in details.guardians)
    timeline_add(
        referral=referral,
        actor=actor,
        kind="referral.registered",
        message=gettext_noop("Referral registered."),
        extra={"classification": referral.classification},
    )
    if referral.classification == Outcome.NOT_ELIGIBLE:
        timeline_add(
            referral=referral,
            actor=actor,
            kind="referral.classification_warning",
            message=gettext_noop("Warning: the seizure is outside the scheme's thresholds."),
        )
    audit_change(actor=actor, action="referral.registered", obj=referral, person_id=person.pk)
    if assign_to is not None:
        try:
            referral_assign(actor=actor, referral=referral, counsellor=assign_to)
        except ValidationError as error:
            # Only a counsellor or lead of the chosen service can hold the case: refused beside the tick box.
            raise ValidationError({"assign_to_me": error.messages}) from None
        referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_assign(*, actor, referral: Referral, counsellor) -> Referral:
    """Assign (or reassign) the case to a counsellor of its service; they get the case permission, the
    previous counsellor loses it."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not counsellors_of(referral.service).filter(user=counsellor).exists():
        raise ValidationError({"counsellor": _("Choose a counsellor of this service.")})
    if referral.status == ReferralStatus.CLOSED:
        raise ValidationError(_("A closed case cannot be reassigned."))
    previous = referral.assigned_counsellor
    if previous == counsellor:
        return referral
    if previous is not None:
        remove_perm(CASE_PERMISSION, previous, referral)
    assign_perm(CASE_PERMISSION, counsellor, referral)
    referral.assigned_counsellor = counsellor
    referral.save(update_fields=["assigned_counsellor"])
    if referral.status == ReferralStatus.RECEIVED:  # a case further on keeps its status
        referral_move(actor=actor, referral=referral, to=ReferralStatus.ASSIGNED, message=None)
    name = staff_name(counsellor)
    timeline_add(
        referral=referral,
        actor=actor,
        kind="referral.assigned",
        message=gettext_noop("Reassigned to %(name)s.") if previous else gettext_noop("Assigned to %(name)s."),
        params={"name": name},
        extra={"counsellor": counsellor.pk, "previous": previous.pk if previous else None},
    )
    audit_change(
        actor=actor,
        action="referral.assigned",
        obj=referral,
        person_id=referral.person_id,
        extra={"counsellor": counsellor.get_username(), "previous": previous.get_username() if previous else None},
    )
    return referral


@transaction.atomic
def referral_unassign(*, actor, referral: Referral) -> Referral:
    """Take the case from its counsellor (e.g. when the lead removes their access in the access review): the
    case permission goes with it, and the case waits for a counsellor again."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    previous = referral.assigned_counsellor
    if previous is None:
        return referral
    remove_perm(CASE_PERMISSION, previous, referral)
    referral.assigned_counsellor = None
    referral.save(update_fields=["assigned_counsellor"])
    if referral.status == ReferralStatus.ASSIGNED:  # a case further on keeps its status
        referral_move(actor=actor, referral=referral, to=ReferralStatus.RECEIVED, message=None)
    timeline_add(
        referral=referral,
        actor=actor,
        kind="referral.unassigned",
        message=gettext_noop("No longer assigned to %(name)s."),
        params={"name": staff_name(previous)},
        extra={"previous": previous.pk},
    )
    audit_change(
        actor=actor,
        action="referral.unassigned",
        obj=referral,
        person_id=referral.person_id,
        extra={"previous": previous.get_username()},
    )
    return referral
