"""On PostgreSQL, refuse TRUNCATE of the audit log too, as 0002 refuses UPDATE and DELETE.

TRUNCATE is not a row operation, so 0002's row trigger never sees it; a statement trigger does. One exception:
a database whose name starts with `test_` (Django's test databases, `TEST NAME` by default) may be truncated,
because the test runner empties every table that way (`flush` after a TransactionTestCase, the browser tests).
A production database must therefore never be named `test_…`; `check --deploy --database default` verifies
that the triggers are in place (portal.E006).

The SQL is here once: the test that proves the trigger in a database of its own runs these same statements.
"""

from django.db import migrations

TRUNCATE_TRIGGER = "portal_auditevent_no_truncate"

CREATE = r"""
CREATE OR REPLACE FUNCTION portal_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    -- Only Django's test databases (test_<name>) may be emptied: the test runner truncates every table.
    IF current_database() LIKE 'test\_%' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE is refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_no_truncate
    BEFORE TRUNCATE ON portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION portal_auditevent_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS portal_auditevent_no_truncate ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: the % of LIKE is not a placeholder


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_audit_object_name_not_cut")]

    operations = [migrations.RunPython(forwards, backwards)]
