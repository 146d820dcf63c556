"""Summons letters e-mailed before letters recorded their dispatch: their e-mail is their proof of dispatch, and
they reached the person the day they were e-mailed, as an e-mailed summons records itself now
(summons_letter_email_sent). Without it a no-show at such a meeting could start neither a fee case nor a report."""

from django.db import migrations
from django.utils import timezone


def emailed_summons_dispatched(apps, schema_editor):
    Letter = apps.get_model("scheduling", "Letter")
    for letter in Letter.objects.filter(emailed_at__isnull=False, dispatch_method="").iterator():
        day = timezone.localdate(letter.emailed_at)
        Letter.objects.filter(pk=letter.pk).update(dispatch_method="emailed", sent_on=day, delivered_on=day)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0005_court_fee_flag")]

    operations = [migrations.RunPython(emailed_summons_dispatched, migrations.RunPython.noop)]
