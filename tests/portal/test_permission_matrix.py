"""Every page of the portal against every kind of visitor.

Pages join this matrix by being decorated with `portal.permissions.service_view`: the
test walks the URL configuration, so a new page is covered without editing this file. A
page whose URL needs an object id must say how to make one in OBJECT_KWARGS, or the
matrix fails and says so.
"""

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.memberships import membership_deactivate
from portal.models import Role
from privacy.break_glass import break_the_glass_open
from referrals.models import Referral
from tests.conftest import log_in_without_second_factor
from tests.factories import (
    AbsenceFactory,
    DrugTestFactory,
    FlagFactory,
    LetterFactory,
    MeetingFactory,
    PoliceReportFactory,
    ReferralFactory,
    StaffMembershipFactory,
    TestingProgrammeFactory,
    UserFactory,
)
from tests.fees.factories import CollectionExportFactory, FeeCaseFactory, FeeLetterFactory
from tests.privacy.test_security_break_glass import BreakTheGlassAccessFactory


def _theirs(user, path: str = "assigned_counsellor") -> dict:
    """The visitor's own case: a counsellor needs no break-the-glass reason (see test_security_break_glass)."""
    return {path: user} if user else {}


# kwarg name -> function(service) returning the value for an object of that service.
OBJECT_KWARGS: dict[str, Callable] = {
    "referral_pk": lambda service, user: ReferralFactory(service=service, **_theirs(user)).pk,
    "meeting_pk": lambda service, user: (
        MeetingFactory(referral__service=service, **_theirs(user, "referral__assigned_counsellor")).pk
    ),
    "letter_pk": lambda service, user: (
        LetterFactory(meeting__referral__service=service, **_theirs(user, "meeting__referral__assigned_counsellor")).pk
    ),
    "report_pk": lambda service, user: (
        PoliceReportFactory(
            meeting__referral__service=service, **_theirs(user, "meeting__referral__assigned_counsellor")
        ).pk
    ),
    "flag_pk": lambda service, user: (
        FlagFactory(
            letter__meeting__referral__service=service,
            **_theirs(user, "letter__meeting__referral__assigned_counsellor"),
        ).pk
    ),
    "programme_pk": lambda service, user: (
        TestingProgrammeFactory(referral__service=service, **_theirs(user, "referral__assigned_counsellor")).pk
    ),
    # An announced test whose sample was taken, so that its letter and requisition exist.
    "test_pk": lambda service, user: (
        DrugTestFactory(
            programme__referral__service=service,
            **_theirs(user, "programme__referral__assigned_counsellor"),
            kind="announced",
            status="recorded",
            outcome="taken",
            sample_number="RK-1",
            identity_checked=True,
            sampling_observed=True,
            sample_sealed=True,
        ).pk
    ),
    "absence_pk": lambda service, user: AbsenceFactory(service=service, **({"counsellor": user} if user else {})).pk,
    "fee_case_pk": lambda service, user: (
        FeeCaseFactory(referral__service=service, **_theirs(user, "referral__assigned_counsellor")).pk
    ),
    "fee_letter_pk": lambda service: FeeLetterFactory(fee_case__referral__service=service).pk,
    "export_pk": lambda service: CollectionExportFactory(service=service).pk,
    "break_glass_pk": lambda service: BreakTheGlassAccessFactory(service=service).pk,
    "person_pk": lambda service: ReferralFactory(service=service).person_id,
    "membership_pk": lambda service: StaffMembershipFactory(service=service).pk,
    "user_pk": lambda service: StaffMembershipFactory(service=service).user_id,
}

# Reachable without the service gate, and why.
UNSCOPED = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "portal:home",  # redirects to the user's own service
    "portal:healthz",  # load balancer probe, no data
    "portal:health",  # load balancer and monitoring probe: check names and ok/unavailable, no data (test_health)
    "calendar_feed",  # read by calendar apps that cannot log in; the secret token is the key (test_pages)
    "portal:two_factor_verify",  # the second step of logging in, for any signed-in user
    "portal:two_factor_setup",
    "portal:two_factor_backup_codes",
    "portal:reauth",  # confirming the password before a sensitive action
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin has its own permission system, tested separately
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


ALL_PATTERNS = dict(_walk(get_resolver().url_patterns))
SCOPED = {name: p for name, p in ALL_PATTERNS.items() if hasattr(p.callback, "allowed_roles")}


def test_every_url_is_scoped_to_a_service_or_listed_as_public():
    unscoped = sorted(set(ALL_PATTERNS) - set(SCOPED) - UNSCOPED)
    assert unscoped == [], f"decorate these views with service_view or justify them in UNSCOPED: {unscoped}"


def _url(name: str, pattern: URLPattern, service, user=None, objects: dict | None = None) -> str:
    """The page's URL in `service`. A kwarg given in `objects` (a test's own scene) takes that id; the others get a
    new object through OBJECT_KWARGS."""
    kwargs = {"service_slug": service.slug}
    for key in pattern.pattern.converters:
        if key == "service_slug":
            continue
        if objects and key in objects:
            kwargs[key] = objects[key]
            continue
        assert key in OBJECT_KWARGS, f"{name}: add a factory for URL kwarg {key!r} to OBJECT_KWARGS"
        make = OBJECT_KWARGS[key]
        # A factory of two arguments makes an object that belongs to the visitor (their own absence, say).
        kwargs[key] = make(service, user) if make.__code__.co_argcount == 2 else make(service)
    return reverse(name, kwargs=kwargs)


class _Answer:
    def __init__(self, status_code, url=None):
        self.status_code, self.url = status_code, url


def _visit(client, url, data=None, follow=False):
    """GET the page; an endpoint that answers only POST (405 past the gate) is posted to, empty (or with `data`). An
    action that does its work and redirects (not to the login page) counts as allowed: 200. With `follow`, redirects
    are followed and the page landed on is returned, for a test that reads it."""
    response = client.get(url, follow=follow)
    if response.status_code != 405:
        return response
    response = client.post(url, data or {}, follow=follow)
    if response.status_code == 302 and not response.url.startswith(reverse("login")):
        return _Answer(200)
    return response


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_logged_out_visitor_is_sent_to_login(client, service, name):
    url = _url(name, SCOPED[name], service)
    response = _visit(client, url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_staff_of_another_service_gets_404(client, service, stranger, name):
    client.force_login(stranger)
    response = _visit(client, _url(name, SCOPED[name], service))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(SCOPED))
@pytest.mark.parametrize("role", Role.values)
def test_each_role_gets_200_or_403(client, service, name, role):
    user = StaffMembershipFactory(service=service, role=role).user
    client.force_login(user)
    response = _visit(client, _url(name, SCOPED[name], service, user))
    expected = 200 if role in SCOPED[name].callback.allowed_roles else 403
    assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_ended_membership_gives_404_at_once(client, service, name):
    membership = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD)
    client.force_login(membership.user)
    url = _url(name, SCOPED[name], service, membership.user)
    assert _visit(client, url).status_code == 200
    membership_deactivate(actor=None, membership=membership)
    assert _visit(client, url).status_code == 404


TWO_FACTOR_STEP = reverse("portal:two_factor_verify")


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_without_a_verified_second_factor_every_page_redirects_to_the_two_factor_step(client, service, name):
    membership = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD)
    url = _url(name, SCOPED[name], service, membership.user)
    log_in_without_second_factor(client, membership.user)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response.url.startswith(TWO_FACTOR_STEP)


ADMIN_PAGES = ["admin:index"] + sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry
)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_without_a_verified_second_factor_the_admin_redirects_to_the_two_factor_step(client, db, name):
    administrator = UserFactory(is_staff=True, is_superuser=True)
    log_in_without_second_factor(client, administrator)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(TWO_FACTOR_STEP)
    client.force_login(administrator)  # with the second factor, the same page opens
    assert client.get(reverse(name)).status_code == 200


# The URL kwargs that name an object of one case: the access functions (referrals.access) apply break-the-glass.
CASE_OBJECTS = {"referral_pk", "meeting_pk", "letter_pk", "report_pk", "flag_pk", "fee_case_pk", "fee_letter_pk"}
CASE_PAGES = sorted(
    name
    for name, pattern in SCOPED.items()
    if CASE_OBJECTS & set(pattern.pattern.converters)
    and Role.COUNSELLOR in pattern.callback.allowed_roles
    and name != "privacy:break_glass"  # the page that asks for the reason
)


def test_the_case_pages_are_found():
    assert {"referrals:detail", "attendance:meeting", "attendance:police_report_sent", "fees:case"} <= set(CASE_PAGES)


@pytest.mark.parametrize("name", CASE_PAGES)
def test_a_counsellor_not_on_the_case_states_a_reason_before_any_case_page_opens(client, service, name):
    colleague = StaffMembershipFactory(service=service, role=Role.COUNSELLOR).user
    client.force_login(colleague)
    url = _url(name, SCOPED[name], service)  # the case of somebody else in the service
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert response.status_code == 302
    form = response.url.split("?")[0]
    assert form.endswith("/break-the-glass/"), response.url
    referral = Referral.objects.get(pk=int(form.rstrip("/").split("/")[-2]))
    break_the_glass_open(actor=colleague, referral=referral, reason="The assigned counsellor is ill today.")
    again = _visit(client, url)
    assert not (again.status_code == 302 and "/break-the-glass/" in again.url)
    assert again.status_code in (200, 302)
