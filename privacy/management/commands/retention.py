"""Anonymise what has passed its retention period, or with --dry-run show what would go."""

from django.core.management.base import BaseCommand

from ...models import RecordType
from ...retention import retention_sweep


class Command(BaseCommand):
    help = "Anonymise personal data past its retention period (privacy.retention); --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be anonymised; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = retention_sweep(dry_run=dry_run)
        if not result.rules:
            self.stdout.write("No service has a retention rule: everything is kept.")
        for service_name, rules in result.rules.items():
            self.stdout.write(service_name)
            for record_type in RecordType:
                days = rules.get(record_type)
                rule = f"{days} days" if days else "no rule: kept"
                self.stdout.write(f"  {record_type.value}: {rule}")
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{len(result.referral_ids)} cases past the closed-case period")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name}: {count} {verb}")
        self.stdout.write(("DRY RUN: nothing changed" if dry_run else "done") + f" ({result.total} rows/files)")
