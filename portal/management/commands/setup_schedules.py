"""Install the periodic sweeps in django-celery-beat's tables. Safe on every deploy: a schedule that exists is
left as it is, so what administrators changed in the admin stays."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

# name -> (task, every N minutes)
SCHEDULES = {
    "Send due reminders": ("counselling.reminders_send_due", 1),
    "Raise flags (attendance not recorded, deadlines, failed letters)": ("counselling.flags_raise", 5),
    "Flag fee cases whose answer or appeal period is over": ("fees.deadlines_flag", 60),
    "Report non-attendance when a condition's attendance deadline passes": ("attendance.deadlines_report", 60),
    "Send drug-test call-ins, notices and reminders": ("attendance.test_messages_send", 1),
    "Flag drug tests without an outcome; end testing programmes past their period": ("attendance.testing_sweep", 60),
    "Anonymise data past its retention period": ("portal.retention_sweep", 24 * 60),
}


class Command(BaseCommand):
    help = "Install the periodic sweeps (reminders, flags) for Celery beat, leaving existing ones unchanged."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, minutes) in SCHEDULES.items():
            interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
            _task, created = PeriodicTask.objects.get_or_create(
                name=name, defaults={"task": task, "interval": interval}
            )
            self.stdout.write(f"{'installed' if created else 'kept'}: {name} ({task})")
