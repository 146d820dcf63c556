"""A PostgreSQL exclusion constraint that the embedded SQLite database of `make run` skips.

Production and CI run on PostgreSQL, where the constraint is the last word against double
booking. SQLite (the one-command demo) has no exclusion constraints; there the booking
service's own check under SQLite's single writer is enough.
"""

from django.contrib.postgres.constraints import ExclusionConstraint


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)
