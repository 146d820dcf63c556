"""Each service that has referrals for a person gets its own record of them, so each municipality's unit answers for
its own (GDPR art. 4 (7)).

Until now one record was shared: every registration, in any service, wrote its contact details over the last ones.
For each person with referrals in several services:

- The service that registered the person last keeps the row (and its id): the details in it are the ones it entered.
- Every other service gets a copy with the same identity. Its phone number and e-mail address are the ones it last
  used for the person when that service itself had entered the details last: its reminders and summons letters to
  the person hold the address they went to, and when (the meeting's booking, the letter's making). Where its reminders tell
  nothing (no meeting booked, or booked after another service had written over the details), the copy has the
  current details: nothing else can tell what the service entered.
- The copy keeps the shared row's id in `shared_record_id`: the audit log is append-only, and the service's earlier
  events about the person carry that id (Person.audit_person_ids).
- Each copy is written in the audit log, with the shared record it came from.

A person with no referrals belongs to the service whose audit events are about them, or to the only service there
is; any other is listed and the migration stops, for an administrator to remove or attach first: no record is
dropped, and none is left outside every service.
"""

from collections import defaultdict

from django.db import migrations

ANONYMISED_ID_PREFIX = "X"  # referrals.personal_data: an anonymised record's national ID is X and its padded id
CONTACT_BY_CHANNEL = {"sms": "phone", "email": "email"}


def _registrar_at(registrations, moment):
    """The service whose registration was the last to write the shared row's details before `moment`."""
    registrar = None
    for created_at, service_id in registrations:
        if created_at > moment:
            break
        registrar = service_id
    return registrar


def _own_contact_details(Reminder, Letter, person_id, service_id, registrations) -> dict:
    """The phone and e-mail the service's reminders and summons letters went to while the details were the ones it
    had entered; the latest of each wins."""
    of_the_service = {"meeting__referral__person_id": person_id, "meeting__referral__service_id": service_id}
    used = [
        (booked_at, CONTACT_BY_CHANNEL[channel], address)
        for channel, address, booked_at in Reminder.objects.filter(
            **of_the_service, recipient_kind="person", channel__in=list(CONTACT_BY_CHANNEL)
        )
        .exclude(address="")
        .values_list("channel", "address", "meeting__booked_at")
    ]
    used += [
        (created_at, "email", email)
        for email, created_at in Letter.objects.filter(**of_the_service, recipient_kind="person")
        .exclude(email="")
        .values_list("email", "created_at")
    ]
    found = {}
    for moment, name, value in sorted(used, key=lambda entry: entry[0]):
        if _registrar_at(registrations, moment) == service_id:
            found[name] = value
    return found


def _service_of_a_person_without_referrals(AuditEvent, services, person_id):
    last = (
        AuditEvent.objects.filter(person_id=person_id, service_id__isnull=False)
        .order_by("-occurred_at", "-id")
        .values_list("service_id", flat=True)
        .first()
    )
    if last is not None:
        return last
    return services[0] if len(services) == 1 else None


def split_shared_persons(apps, schema_editor):
    Person = apps.get_model("referrals", "Person")
    Referral = apps.get_model("referrals", "Referral")
    Reminder = apps.get_model("scheduling", "Reminder")
    Letter = apps.get_model("scheduling", "Letter")
    AuditEvent = apps.get_model("portal", "AuditEvent")
    CounsellingService = apps.get_model("portal", "CounsellingService")
    ContentType = apps.get_model("contenttypes", "ContentType")

    registrations = defaultdict(list)  # person id -> [(registered at, service id)], oldest first
    for person_id, service_id, created_at in Referral.objects.order_by("created_at", "pk").values_list(
        "person_id", "service_id", "created_at"
    ):
        registrations[person_id].append((created_at, service_id))

    person_type = None
    for person in Person.objects.filter(service__isnull=True).order_by("pk").iterator():
        registered = registrations.get(person.pk)
        if not registered:
            continue
        owner = registered[-1][1]
        person.service_id = owner
        person.save(update_fields=["service"])
        others = list(dict.fromkeys(service_id for _, service_id in registered if service_id != owner))
        for service_id in others:
            copy = Person.objects.get(pk=person.pk)
            copy.pk = None
            copy.service_id = service_id
            copy.shared_record_id = person.pk
            own = _own_contact_details(Reminder, Letter, person.pk, service_id, registered)
            for name, value in own.items():
                setattr(copy, name, value)
            copy.save()
            first_registered = min(created_at for created_at, s in registered if s == service_id)
            fields = {"created_at": first_registered}
            if copy.national_id.startswith(ANONYMISED_ID_PREFIX):
                fields["national_id"] = f"{ANONYMISED_ID_PREFIX}{copy.pk:010d}"
            Person.objects.filter(pk=copy.pk).update(**fields)
            Referral.objects.filter(person_id=person.pk, service_id=service_id).update(person_id=copy.pk)
            if person_type is None:
                person_type, _ = ContentType.objects.get_or_create(app_label="referrals", model="person")
            AuditEvent.objects.create(
                actor=None,
                actor_label="system",
                kind="change",
                action="person.record_per_service",
                service_id=service_id,
                object_type=person_type,
                object_id=str(copy.pk),
                object_repr=f"{copy.first_name} {copy.last_name}".strip(),
                person_id=copy.pk,
                extra={"shared_record": person.pk, "contact_details_from_reminders": sorted(own)},
            )

    services = list(CounsellingService.objects.order_by("pk").values_list("pk", flat=True))
    unplaced = []
    for person in Person.objects.filter(service__isnull=True).order_by("pk"):
        service_id = _service_of_a_person_without_referrals(AuditEvent, services, person.pk)
        if service_id is None:
            unplaced.append(person.pk)
        else:
            Person.objects.filter(pk=person.pk).update(service_id=service_id)
    if unplaced:
        raise RuntimeError(
            "These person records have no referral and no service to belong to; attach each to a referral or remove "
            f"it in the admin, then migrate again: ids {unplaced}"
        )


def merge_back(apps, schema_editor):
    """Back to one shared record: each copy's referrals return to the row it was copied from, and the copy goes."""
    Person = apps.get_model("referrals", "Person")
    Referral = apps.get_model("referrals", "Referral")
    for copy in Person.objects.filter(shared_record_id__isnull=False):
        Referral.objects.filter(person_id=copy.pk).update(person_id=copy.shared_record_id)
        copy.delete()
    Person.objects.update(service=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0010_service_demonstration"),
        ("referrals", "0012_person_service"),
        ("scheduling", "0006_emailed_summons_dispatched"),
    ]

    operations = [migrations.RunPython(split_shared_persons, merge_back)]
