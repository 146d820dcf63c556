"""Every person record now belongs to a service (0013): the service is required, a national ID is unique within a
service, and on PostgreSQL the database itself refuses (as an integrity error) a referral whose person belongs to another service, or a
record moved to another service, so no raw SQL or future bug can join one controller's case to another's record."""

import django.db.models.deletion
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION referrals_referral_person_in_service() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM referrals_person WHERE id = NEW.person_id AND service_id = NEW.service_id) THEN
        RAISE EXCEPTION 'a referral''s person must belong to the referral''s service'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referrals_referral_person_in_service
    BEFORE INSERT OR UPDATE OF person_id, service_id ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION referrals_referral_person_in_service();

CREATE OR REPLACE FUNCTION referrals_person_stays_in_service() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a person record stays in the service it belongs to' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referrals_person_stays_in_service
    BEFORE UPDATE OF service_id ON referrals_person
    FOR EACH ROW WHEN (OLD.service_id IS DISTINCT FROM NEW.service_id)
    EXECUTE FUNCTION referrals_person_stays_in_service();
"""

DROP = """
DROP TRIGGER IF EXISTS referrals_referral_person_in_service ON referrals_referral;
DROP FUNCTION IF EXISTS referrals_referral_person_in_service();
DROP TRIGGER IF EXISTS referrals_person_stays_in_service ON referrals_person;
DROP FUNCTION IF EXISTS referrals_person_stays_in_service();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0013_person_record_per_service")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="service",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("service", "national_id"),
                name="one_person_per_national_id_in_service",
                violation_error_message="The service already has a person with this national identity number.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(shared_record_id__isnull=False),
                fields=("service", "shared_record_id"),
                name="one_copy_per_shared_record_in_service",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["shared_record_id"], name="person_shared_record_idx"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
