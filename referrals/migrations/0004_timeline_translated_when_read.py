"""Timeline texts are translated when read; classification reasons are worked out when read.

Existing events keep their text as the message: gettext returns an unknown text unchanged.
"""

from django.db import migrations, models


def description_to_message(apps, schema_editor):
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    for event in ReferralEvent.objects.all():
        # A literal % in old text would break "% params" at display.
        event.message = event.description.replace("%", "%%")
        event.save(update_fields=["message"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_persons_and_referrals")]

    operations = [
        migrations.AddField(
            model_name="referralevent",
            name="message",
            field=models.CharField(default="", max_length=300, verbose_name="message"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referralevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="message parameters"),
        ),
        migrations.RunPython(description_to_message, migrations.RunPython.noop),
        migrations.RemoveField(model_name="referralevent", name="description"),
        migrations.RemoveField(model_name="referral", name="classification_reasons"),
    ]
