"""A database from before person records were per service, with one person known to two services, migrates to one
record per service: no row lost, each service's cases on its own record, the details each service entered where
its own reminders and letters tell them, and each service seeing only its own record and its own access log.

The dump and the scenario in it: fixtures/README.md, "demo-before-controllers.sql.gz". Kari Delt was registered
by Oslo (phone +4791111111, kari.oslo@example.org, Osloveien 1), who booked a meeting, and then by Bergen (phone
+4792222222, kari.bergen@example.org, Bergensgaten 2), whose registration wrote over the shared row.
"""

import json

import pytest

from .test_migrate_populated_database import FIXTURES, _manage, _output, migrated_dump

DUMP = FIXTURES / "demo-before-controllers.sql.gz"
NATIONAL_ID = "17059050052"
SHARED_ID = 9
OSLO, BERGEN = 1, 2

pytestmark = [pytest.mark.postgres, pytest.mark.processes]

# What each service's portal code answers after the migration, read by the current code under the production settings.
AS_EACH_SERVICE_SEES_IT = f"""
import json
from portal.models import CounsellingService
from privacy.access_log import access_log_about
from privacy.data_export import person_data
from referrals.selectors import person_known_to
answer = {{}}
for service in CounsellingService.objects.order_by("pk"):
    person = person_known_to(service, "{NATIONAL_ID}")
    data = person_data(service, person)
    answer[service.pk] = {{
        "person": person.pk,
        "referrals": [str(r) for r in person.referrals.all()],
        "export": json.loads(json.dumps(data, default=str)),
        "access_log": [row["what"] + " / " + row["staff"] for row in access_log_about(service, person)],
    }}
print(json.dumps(answer))
"""


@pytest.fixture(scope="module")
def split():
    with migrated_dump(DUMP) as migrated:
        assert migrated.migrate.returncode == 0, _output(migrated.migrate)
        yield migrated


def _rows(split, query, params=()):
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(split.conninfo, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def _persons(split):
    return {
        row["service_id"]: row
        for row in _rows(split, "SELECT * FROM referrals_person WHERE national_id = %s", [NATIONAL_ID])
    }


def test_each_service_with_referrals_for_the_person_has_its_own_record(split):
    persons = _persons(split)
    assert sorted(persons) == [OSLO, BERGEN]
    # Bergen registered her last: the shared row's details are Bergen's, and Bergen keeps the row and its id.
    assert persons[BERGEN]["id"] == SHARED_ID
    assert persons[BERGEN]["shared_record_id"] is None
    assert persons[OSLO]["id"] != SHARED_ID
    assert persons[OSLO]["shared_record_id"] == SHARED_ID
    identity = {(p["national_id"], p["first_name"], p["last_name"], p["date_of_birth"]) for p in persons.values()}
    assert len(identity) == 1 and identity.pop()[1:3] == ("Kari", "Delt")


def test_each_services_cases_are_on_its_own_record(split):
    persons = _persons(split)
    referrals = _rows(
        split,
        "SELECT service_id, person_id FROM referrals_referral WHERE person_id = ANY(%s)",
        [[p["id"] for p in persons.values()]],
    )
    assert sorted((r["service_id"], r["person_id"]) for r in referrals) == [
        (OSLO, persons[OSLO]["id"]),
        (BERGEN, persons[BERGEN]["id"]),
    ]
    assert not _rows(
        split,
        "SELECT r.id FROM referrals_referral r JOIN referrals_person p ON p.id = r.person_id "
        "WHERE p.service_id <> r.service_id",
    ), "every referral's person belongs to the referral's service"


def test_each_record_holds_the_contact_details_its_service_entered_where_they_can_be_told(split):
    persons = _persons(split)
    bergen, oslo = persons[BERGEN], persons[OSLO]
    assert (bergen["phone"], bergen["email"], bergen["street_address"], bergen["postal_town"]) == (
        "+4792222222",
        "kari.bergen@example.org",
        "Bergensgaten 2",
        "Bergen",
    )
    # Oslo's reminders and summons letter, made while the details were Oslo's, tell its phone and e-mail.
    assert (oslo["phone"], oslo["email"]) == ("+4791111111", "kari.oslo@example.org")
    # No row kept the postal address Oslo typed: the copy has the current one, as nothing else can tell.
    assert oslo["street_address"] == "Bergensgaten 2"


def test_the_copy_is_written_in_the_audit_log_of_its_service(split):
    oslo = _persons(split)[OSLO]
    events = _rows(
        split, "SELECT service_id, person_id, extra FROM portal_auditevent WHERE action = 'person.record_per_service'"
    )
    assert [(e["service_id"], e["person_id"], e["extra"]["shared_record"]) for e in events] == [
        (OSLO, oslo["id"], SHARED_ID)
    ]
    assert sorted(events[0]["extra"]["contact_details_from_reminders"]) == ["email", "phone"]


def test_each_service_sees_only_its_own_record_export_and_access_log(split):
    result = _manage("shell", "-c", AS_EACH_SERVICE_SEES_IT, database_url=split.database_url)
    assert result.returncode == 0, _output(result)
    seen = {int(k): v for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}
    persons = _persons(split)
    assert seen[OSLO]["person"] == persons[OSLO]["id"]
    assert seen[BERGEN]["person"] == persons[BERGEN]["id"]
    assert [ref.endswith("oslo-delt") for ref in seen[OSLO]["referrals"]] == [True]
    assert [ref.endswith("bergen-delt") for ref in seen[BERGEN]["referrals"]] == [True]

    oslo_export = json.dumps(seen[OSLO]["export"])
    assert "kari.oslo@example.org" in oslo_export
    for bergens in ("kari.bergen@example.org", "+4792222222", "bergen-delt", "Jon Berg"):
        assert bergens not in oslo_export
    bergen_export = json.dumps(seen[BERGEN]["export"])
    for oslos in ("kari.oslo@example.org", "+4791111111", "oslo-delt"):
        assert oslos not in bergen_export

    # The reads from before the split carry the shared id; each service's log still has its own, and only those.
    oslo_log, bergen_log = seen[OSLO]["access_log"], seen[BERGEN]["access_log"]
    assert any(entry.startswith("Opened the case") or "Åpnet saken" in entry for entry in oslo_log), oslo_log
    assert len(oslo_log) == 1, oslo_log
    assert len(bergen_log) == 2, bergen_log  # the look-up and the lead's read


def test_a_retention_rule_of_the_whole_deployment_becomes_each_services_own(split):
    rules = _rows(split, "SELECT service_id, record_type, retention_days FROM portal_retentionrule ORDER BY 1")
    assert [(r["service_id"], r["record_type"], r["retention_days"]) for r in rules] == [
        (OSLO, "closed_case", 1825),
        (BERGEN, "closed_case", 1825),
    ]


def test_nothing_is_left_to_migrate(split):
    result = _manage("makemigrations", "--check", "--dry-run", database_url=split.database_url)
    assert result.returncode == 0, _output(result)
