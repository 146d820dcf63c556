"""The organisation's models (municipalities, services, staff memberships) move here from the counselling app.
Their tables keep their names, so this changes the migration state only."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        # The tables exist once the counselling app's history has built them.
        ("counselling", "0010_names_as_long_as_the_intake_form_takes"),
        ("portal", "0006_auditevent_no_truncate_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="CounsellingService",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("street_address", models.CharField(blank=True, max_length=200, verbose_name="street address")),
                (
                    "postal_code",
                    models.CharField(
                        blank=True,
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9]{4}$", "A postal code is four digits, for example 0155."
                            )
                        ],
                        verbose_name="postal code",
                    ),
                ),
                ("postal_town", models.CharField(blank=True, max_length=100, verbose_name="postal town")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "slug",
                    models.SlugField(
                        help_text="Used in the portal's addresses, e.g. oslo.", unique=True, verbose_name="short name"
                    ),
                ),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="phone")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "counselling service",
                "verbose_name_plural": "counselling services",
                "db_table": "counselling_counsellingservice",
                "ordering": ["name"],
                "permissions": [("lead_counsellingservice", "Can lead the counselling service")],
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="service",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AlterField(
            model_name="breaktheglassaccess",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.CreateModel(
            name="Municipality",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "number",
                    models.CharField(
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9]{4}$", "A municipality number is exactly four digits, for example 0301."
                            )
                        ],
                        verbose_name="municipality number",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("valid_from", models.DateField(verbose_name="valid from")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="valid to")),
            ],
            options={
                "verbose_name": "municipality",
                "verbose_name_plural": "municipalities",
                "db_table": "counselling_municipality",
                "ordering": ["number", "-valid_from"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("number", "valid_from"), name="municipality_number_valid_from_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__regex", "^[0-9]{4}$")), name="municipality_number_four_digits"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_to__isnull", True), ("valid_to__gte", models.F("valid_from")), _connector="OR"
                        ),
                        name="municipality_valid_to_after_valid_from",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="counsellingservice",
            name="municipalities",
            field=models.ManyToManyField(
                related_name="counselling_services", to="portal.municipality", verbose_name="municipalities served"
            ),
        ),
        migrations.CreateModel(
            name="StaffMembership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("counsellor", "Counsellor"),
                            ("service_lead", "Service lead"),
                            ("fee_officer", "Fee officer"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="started")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended")),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="portal.counsellingservice",
                        verbose_name="service",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "staff membership",
                "verbose_name_plural": "staff memberships",
                "db_table": "counselling_staffmembership",
                "ordering": ["service__name", "user__last_name", "user__first_name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_active", True)),
                        fields=("user", "service"),
                        name="one_active_membership_per_service",
                        violation_error_message="This person already has an active role in this service; end it first.",
                    )
                ],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
