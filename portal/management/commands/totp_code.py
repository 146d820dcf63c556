"""The current two-factor code of a user's authenticator device, for trying the portal on a development
machine without a phone (`make run`). Refuses to run unless DEBUG is on: in production the code must come from
the person's own app."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's authenticator (development only, DEBUG=True)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("Only on a development machine (DEBUG=True).")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        # The newest device: the one being enrolled if enrolment has started, else the confirmed one.
        device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
        if device is None:
            raise CommandError(f"{username} has no authenticator yet: log in once to reach the enrolment page.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
