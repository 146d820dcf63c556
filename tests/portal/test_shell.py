"""The portal shell: home redirect, dashboard, language, error pages."""

import pytest
from django.urls import reverse

from portal.models import Role
from tests.factories import CounsellingServiceFactory, StaffMembershipFactory, UserFactory


def test_home_sends_a_counsellor_to_their_service_dashboard(client, counsellor, service):
    client.force_login(counsellor)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"/service/{service.slug}/"


def test_home_remembers_the_service_last_worked_in(client, counsellor, service):
    second = CounsellingServiceFactory(name="Aaa first by name", slug="aaa")
    StaffMembershipFactory(user=counsellor, service=second)
    client.force_login(counsellor)
    client.get(f"/service/{service.slug}/")
    assert client.get("/").url == f"/service/{service.slug}/"


def test_staff_without_any_service_get_an_explanation(client, db):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 403
    client.cookies["portal_language"] = "en"
    assert "not a member of any counselling service" in client.get("/").content.decode()


@pytest.mark.parametrize("superuser", [True, False])
def test_an_administrator_without_a_service_lands_in_the_admin(client, db, superuser):
    """Not on a page telling them to ask an administrator: they are one, and their work is in the admin."""
    client.force_login(UserFactory(is_staff=True, is_superuser=superuser))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(response.url).status_code == 200


def test_an_administrator_who_works_in_a_service_still_lands_on_its_dashboard(client, service):
    user = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__is_staff=True).user
    client.force_login(user)
    assert client.get("/").url == f"/service/{service.slug}/"


def test_dashboard_shows_the_users_service_and_role(client, counsellor, service):
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    response = client.get(f"/service/{service.slug}/")
    page = response.content.decode()
    assert service.name in page
    assert "Counsellor" in page
    assert service.municipalities.get().name in page


def test_dashboard_query_count_is_pinned(client, counsellor, service, django_assert_num_queries):
    client.force_login(counsellor)
    client.get(f"/service/{service.slug}/")  # warm the content type cache
    # session, user, second factor (django-otp's device), membership+service (with the guardian
    # permission subquery), the navigation's memberships, municipalities served; the day's meetings,
    # flags, deadlines and failed reminders; the user's cases with nothing booked and those registered this past
    # week; the day's drug tests; the session saved, as every request renews it
    # (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release in a test's transaction); the view's own
    # transaction (ATOMIC_REQUESTS: savepoint, release in a test's transaction).
    # tests/counselling/scheduling/test_dashboard.py shows the count does not grow with the work.
    with django_assert_num_queries(18):
        assert client.get(f"/service/{service.slug}/").status_code == 200


def test_staff_page_lists_the_services_staff_but_not_others(client, lead, colleague, stranger, service):
    client.force_login(lead)
    page = client.get(reverse("portal:staff", kwargs={"service_slug": service.slug})).content.decode()
    assert "colleague" in page
    assert "stranger" not in page


def test_the_portal_speaks_bokmal_by_default_whatever_the_browser_says(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="nb"' in page
    assert "Logg inn" in page


def test_the_language_switcher_remembers_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "Log in" in page


def test_an_unknown_language_cookie_falls_back_to_bokmal(client, db):
    client.cookies["portal_language"] = "xx"
    assert 'lang="nb"' in client.get(reverse("login")).content.decode()


def test_404_page_is_in_the_portal_style(client, counsellor):
    client.force_login(counsellor)
    response = client.get("/service/does-not-exist/")
    assert response.status_code == 404
    assert "404" in response.content.decode()
    assert "navbar" in response.content.decode()


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.FEE_OFFICER])
def test_403_page_explains_the_role(client, service, role):
    user = StaffMembershipFactory(service=service, role=role).user
    client.force_login(user)
    response = client.get(reverse("portal:staff", kwargs={"service_slug": service.slug}))
    assert response.status_code == 403
    assert "403" in response.content.decode()


def test_500_page_renders_without_context(rf):
    from portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"500" in response.content


def test_healthz_reports_ok(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_logout_needs_post_and_ends_the_session(client, counsellor, service):
    client.force_login(counsellor)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(f"/service/{service.slug}/").status_code == 302


def test_logging_out_says_so_on_the_login_page(client, counsellor):
    client.force_login(counsellor)
    page = client.post(reverse("logout"), follow=True)
    assert page.request["PATH_INFO"] == reverse("login")
    assert "Du er logget ut." in page.content.decode()
    assert "_auth_user_id" not in client.session
