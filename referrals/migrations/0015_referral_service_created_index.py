"""An index for the dashboard's cases registered in the last 7 days, per service."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0011_documents_in_the_database"),
        ("referrals", "0014_person_service_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["service", "created_at"], name="referral_service_created_idx"),
        ),
    ]
