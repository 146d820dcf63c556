"""Reminders 3 days and 1 day before the meeting, by email and SMS at 10:00, with Bokmål and English texts.
Administrators change them in the admin."""

import datetime

from django.db import migrations

SMS = {
    "nb": (
        "{% if guardian %}Påminnelse: {{ person.first_name }} har{% else %}Påminnelse: Du har{% endif %} samtale hos "
        "{{ service.name }} {{ meeting.starts_at|date:'l j. F' }} kl. {{ meeting.starts_at|time:'H:i' }}, "
        "{{ location.name }}{% if location.street_address %}, {{ location.street_address }}{% endif %}. "
        "Oppmøte er obligatorisk.{% if service.phone %} Passer ikke tiden? Ring {{ service.phone }}.{% endif %}"
    ),
    "en": (
        "{% if guardian %}Reminder: {{ person.first_name }} has{% else %}Reminder: you have{% endif %} a meeting at "
        "{{ service.name }} on {{ meeting.starts_at|date:'l j F' }} at {{ meeting.starts_at|time:'H:i' }}, "
        "{{ location.name }}{% if location.street_address %}, {{ location.street_address }}{% endif %}. "
        "Attendance is mandatory.{% if service.phone %} Time does not suit? Call {{ service.phone }}.{% endif %}"
    ),
}
EMAIL = {
    "nb": (
        "Påminnelse om samtale {{ meeting.starts_at|date:'j. F' }}",
        "Hei {% if guardian %}{{ guardian.name }}{% else %}{{ person.first_name }}{% endif %},\n\n"
        "Dette er en påminnelse om {% if guardian %}samtalen {{ person.first_name }} er kalt inn til{% else %}"
        "samtalen du er kalt inn til{% endif %} hos {{ service.name }}:\n\n"
        "{{ meeting.starts_at|date:'l j. F Y' }} kl. {{ meeting.starts_at|time:'H:i' }}–{{ meeting.ends_at|time:'H:i' }}\n"
        "{{ location.name }}{% if location.street_address %}, {{ location.street_address }}, {{ location.postal_code }} "
        "{{ location.postal_town }}{% endif %}\n\n"
        "Oppmøte er obligatorisk. Passer ikke tiden, ta kontakt{% if service.phone %} på telefon {{ service.phone }}"
        "{% endif %} så snart som mulig.\n\nMed vennlig hilsen\n{{ service.name }}",
    ),
    "en": (
        "Reminder of your meeting on {{ meeting.starts_at|date:'j F' }}",
        "Hello {% if guardian %}{{ guardian.name }}{% else %}{{ person.first_name }}{% endif %},\n\n"
        "This is a reminder of {% if guardian %}the meeting {{ person.first_name }} is summoned to{% else %}"
        "the meeting you are summoned to{% endif %} at {{ service.name }}:\n\n"
        "{{ meeting.starts_at|date:'l j F Y' }} at {{ meeting.starts_at|time:'H:i' }}–{{ meeting.ends_at|time:'H:i' }}\n"
        "{{ location.name }}{% if location.street_address %}, {{ location.street_address }}, {{ location.postal_code }} "
        "{{ location.postal_town }}{% endif %}\n\n"
        "Attendance is mandatory. If the time does not suit you, get in touch{% if service.phone %} on "
        "{{ service.phone }}{% endif %} as soon as you can.\n\nKind regards\n{{ service.name }}",
    ),
}


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("counselling", "ReminderRule")
    ReminderText = apps.get_model("counselling", "ReminderText")
    for days in (3, 1):
        for channel in ("email", "sms"):
            ReminderRule.objects.get_or_create(
                days_before=days, channel=channel, defaults={"send_at": datetime.time(10)}
            )
    for language, body in SMS.items():
        ReminderText.objects.get_or_create(channel="sms", language=language, defaults={"body": body})
    for language, (subject, body) in EMAIL.items():
        ReminderText.objects.get_or_create(
            channel="email", language=language, defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("counselling", "0005_reminders_and_flags")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
