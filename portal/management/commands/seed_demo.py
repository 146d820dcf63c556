"""Demo data for a first look: two services in two municipalities, a lead and two counsellors each.

Idempotent: running it again changes nothing but resetting the demo passwords.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from counselling.models import CounsellingService, Municipality, Role
from counselling.services import membership_grant

DEMO_PASSWORD = "demo-passord"  # noqa: S105  (printed on purpose: demo logins only)

SERVICES = [
    {
        "municipality": ("0301", "Oslo"),
        "service": {
            "slug": "oslo",
            "name": "Rådgivende enhet for narkotikasaker, Oslo",
            "street_address": "Storgata 1",
            "postal_code": "0155",
            "postal_town": "Oslo",
            "phone": "+47 21 80 21 80",
            "email": "radgivende.enhet@oslo.example",
        },
        "staff": [
            ("oslo-leder", "Ingrid", "Lie", Role.SERVICE_LEAD),
            ("oslo-radgiver1", "Ola", "Nordmann", Role.COUNSELLOR),
            ("oslo-radgiver2", "Kari", "Hansen", Role.COUNSELLOR),
        ],
    },
    {
        "municipality": ("4601", "Bergen"),
        "service": {
            "slug": "bergen",
            "name": "Rådgivende enhet for narkotikasaker, Bergen",
            "street_address": "Rådhusgaten 10",
            "postal_code": "5014",
            "postal_town": "Bergen",
            "phone": "+47 55 56 55 56",
            "email": "radgivende.enhet@bergen.example",
        },
        "staff": [
            ("bergen-leder", "Jon", "Berg", Role.SERVICE_LEAD),
            ("bergen-radgiver1", "Sigrid", "Dahl", Role.COUNSELLOR),
            ("bergen-radgiver2", "Emil", "Haugen", Role.COUNSELLOR),
        ],
    },
]


class Command(BaseCommand):
    help = "Create demo services, staff and an administrator, and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        admin, _ = User.objects.get_or_create(
            username="admin",
            defaults={"first_name": "Demo", "last_name": "Administrator", "email": "admin@example.org"},
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()

        logins = [("admin", "Administrator (Django admin)", "")]
        for entry in SERVICES:
            number, name = entry["municipality"]
            municipality, _ = Municipality.objects.get_or_create(
                number=number, valid_from=datetime.date(2020, 1, 1), defaults={"name": name}
            )
            service_fields = dict(entry["service"])
            service, _ = CounsellingService.objects.update_or_create(
                slug=service_fields.pop("slug"), defaults=service_fields
            )
            service.municipalities.add(municipality)
            for username, first_name, last_name, role in entry["staff"]:
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.org"},
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                membership_grant(actor=admin, user=user, service=service, role=role)
                logins.append((username, Role(role).label, service.name))

        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for username, role, service_name in logins:
            self.stdout.write(f"  {username:<18} {role}{' – ' + service_name if service_name else ''}")
