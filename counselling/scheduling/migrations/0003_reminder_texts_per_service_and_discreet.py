"""Reminder texts per service, and discreet by default: a text message and an e-mail's subject show on a locked
phone, so the shipped texts name the service's neutral name ({{ sender_name }}, e.g. "Oslo kommune") instead of
its name ("Rådgivende enhet Oslo"). The summons names the unit as the service configures it ({{ unit_name }})."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

SHIPPED = importlib.import_module("counselling.migrations.0006_default_reminders")

SMS = {
    "nb": (
        "Påminnelse: {% if guardian %}{{ person.first_name }} har time{% else %}time{% endif %} hos {{ sender_name }} "
        "{{ meeting.starts_at|date:'j. F' }} kl. {{ meeting.starts_at|time:'H:i' }}, "
        "{{ location.name }}{% if location.street_address %}, {{ location.street_address }}{% endif %}."
        "{% if service.phone %} Passer ikke tiden? Ring {{ service.phone }}.{% endif %}"
    ),
    "en": (
        "Reminder: {% if guardian %}{{ person.first_name }} has an {% endif %}appointment with {{ sender_name }} on "
        "{{ meeting.starts_at|date:'j F' }} at {{ meeting.starts_at|time:'H:i' }}, "
        "{{ location.name }}{% if location.street_address %}, {{ location.street_address }}{% endif %}."
        "{% if service.phone %} Time does not suit? Call {{ service.phone }}.{% endif %}"
    ),
}
EMAIL_SUBJECTS = {
    "nb": "Påminnelse: time hos {{ sender_name }} {{ meeting.starts_at|date:'j. F' }} kl. {{ meeting.starts_at|time:'H:i' }}",
    "en": "Reminder: appointment with {{ sender_name }} on {{ meeting.starts_at|date:'j F' }} at "
    "{{ meeting.starts_at|time:'H:i' }}",
}
SERVICE_NAME = "{{ service.name }}"
SENDER_NAME = "{{ sender_name }}"
OLD_REFERRED = "er henvist til {{ service.name }} av politiet"
REFERRED = "er henvist til {{ unit_name }} i {{ sender_name }} av politiet"


def discreet_texts(apps, schema_editor):
    """The shipped texts become the discreet ones; in texts administrators changed, the service's name gives way
    to its neutral name where a locked phone shows it (a text message, a subject)."""
    ReminderText = apps.get_model("scheduling", "ReminderText")
    LetterTemplate = apps.get_model("scheduling", "LetterTemplate")
    for text in ReminderText.objects.all():
        shipped_subject, shipped_body = SHIPPED.EMAIL.get(text.language, ("", ""))
        if text.channel == "sms":
            if text.body == SHIPPED.SMS.get(text.language) and text.language in SMS:
                text.body = SMS[text.language]
            text.body = text.body.replace(SERVICE_NAME, SENDER_NAME)
        else:
            if text.subject == shipped_subject and text.language in EMAIL_SUBJECTS:
                text.subject = EMAIL_SUBJECTS[text.language]
            if text.body == shipped_body:
                text.body = shipped_body.replace(SERVICE_NAME, SENDER_NAME)
        text.subject = text.subject.replace(SERVICE_NAME, SENDER_NAME)
        text.save(update_fields=["subject", "body"])
    for template in LetterTemplate.objects.all():
        template.subject = template.subject.replace(SERVICE_NAME, SENDER_NAME)
        template.body = template.body.replace(OLD_REFERRED, REFERRED)
        template.save(update_fields=["subject", "body"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0009_service_unit_and_neutral_names"),
        ("scheduling", "0002_summons_by_the_age_on_the_meeting_day"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="remindertext",
            name="one_reminder_text_per_language",
        ),
        migrations.AddField(
            model_name="remindertext",
            name="service",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: the text of every service that has none of its own.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reminder_texts",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AlterField(
            model_name="lettertemplate",
            name="subject",
            field=models.CharField(
                help_text="Shown on a locked phone: no drugs and not the unit's name. E.g. {{ sender_name }}.",
                max_length=200,
                verbose_name="email subject",
            ),
        ),
        migrations.AlterField(
            model_name="remindertext",
            name="body",
            field=models.TextField(
                help_text="E.g. {{ sender_name }} (the service's neutral name), {{ meeting.starts_at|date:'j. F H:i' }}, {{ location.name }}, {{ service.phone }}. A text message shows on a locked phone: no drugs and not the unit's name.",
                verbose_name="text",
            ),
        ),
        migrations.AlterField(
            model_name="remindertext",
            name="subject",
            field=models.CharField(
                blank=True,
                help_text="Shown on a locked phone: no drugs and not the unit's name. E.g. Påminnelse: time hos {{ sender_name }}.",
                max_length=200,
                verbose_name="email subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="remindertext",
            constraint=models.UniqueConstraint(
                condition=models.Q(("service__isnull", True)),
                fields=("channel", "language"),
                name="one_default_reminder_text_per_language",
                violation_error_message="There is already a default text for this channel and language.",
            ),
        ),
        migrations.AddConstraint(
            model_name="remindertext",
            constraint=models.UniqueConstraint(
                fields=("service", "channel", "language"),
                name="one_reminder_text_per_service_and_language",
                violation_error_message="This service already has a text for this channel and language.",
            ),
        ),
        migrations.RunPython(discreet_texts, migrations.RunPython.noop),
    ]
