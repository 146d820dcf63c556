"""Counselling: the package of two Django apps, `counselling.scheduling` (availability, meetings, summons
letters, reminders, calendars and their flags) and `counselling.attendance` (attendance, consent, needs
assessments, police reports), one floor above the other.

The package itself is the app labelled `counselling` only to keep the migration history that built the
tables before the split (see counselling/apps.py); it has no models.
"""
