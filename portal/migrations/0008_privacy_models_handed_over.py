"""Portal hands break-the-glass accesses and retention rules over to privacy (privacy 0001 takes them). No
table changes: this changes the migration state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_organisation_from_counselling"),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name="breaktheglassaccess",
            name="followed_up_by",
        ),
        migrations.RemoveField(
            model_name="breaktheglassaccess",
            name="referral",
        ),
        migrations.RemoveField(
            model_name="breaktheglassaccess",
            name="service",
        ),
        migrations.RemoveField(
            model_name="breaktheglassaccess",
            name="user",
        ),
        migrations.DeleteModel(
            name="RetentionRule",
        ),
        migrations.DeleteModel(
            name="BreakTheGlassAccess",
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
