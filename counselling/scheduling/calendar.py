"""Meetings as iCalendar (RFC 5545): the invitation sent with the summons, and each counsellor's private feed.

The feed is read by calendar apps outside the portal, so it carries times, places and case
numbers, never a person's name.
"""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from portal.models import CASEWORK_ROLES
from portal.selectors import services_for

from .models import HOLDS_TIME, Meeting, MeetingStatus

# Who holds meetings, and so has a feed of them.
FEED_ROLES = CASEWORK_ROLES

PRODID = "-//Radgivende enhet//Portal//NO"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(meeting: Meeting, summary: str, location: str, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@radgivende-enhet")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    event.add("status", "CONFIRMED" if meeting.status in HOLDS_TIME else "CANCELLED")
    return event


def _ical(calendar: Calendar) -> bytes:
    # Times carry TZID=Europe/Oslo; RFC 5545 wants its VTIMEZONE in the file, or some calendar apps shift them.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _place(meeting: Meeting) -> str:
    location = meeting.location
    return ", ".join(part for part in [location.name, location.postal_address] if part)


def meeting_invitation(meeting: Meeting) -> bytes:
    """The .ics attached to the person's summons (in Norwegian, like the letter). Its title shows in calendars
    others may see, so it has the service's neutral name, never the unit's (portal.discretion)."""
    service = meeting.referral.service
    calendar = _calendar(service.sender_name)
    calendar.add_component(
        _event(meeting, f"Samtale hos {service.sender_name}", _place(meeting), meeting.location.instructions)
    )
    return _ical(calendar)


def feed_services(user):
    """The services whose meetings the feed shows: those the user works in now (active membership and the
    service permission, as at the service gate) in a role that holds meetings. Asked at every fetch, so the
    address stops showing a service the moment the membership there ends."""
    return services_for(user).filter(
        memberships__user=user, memberships__is_active=True, memberships__role__in=FEED_ROLES
    )


def counsellor_feed(user, *, now: datetime.datetime | None = None) -> bytes:
    """The counsellor's meetings from 30 days back and a year ahead, in the services they work in now;
    cancelled and moved ones drop out."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(
            counsellor=user,
            referral__service__in=feed_services(user),
            status__in=[MeetingStatus.BOOKED, MeetingStatus.HELD],
            starts_at__gte=now - datetime.timedelta(days=30),
            starts_at__lte=now + datetime.timedelta(days=366),
        )
        .select_related("location", "referral")
        .order_by("starts_at")
    )
    calendar = _calendar("Rådgivende enhet – møter")
    for meeting in meetings:
        calendar.add_component(_event(meeting, f"Samtale – sak {meeting.referral}", meeting.location.name))
    return _ical(calendar)
