"""The page plumbing: sign-in, sign-out, password change, staff only, the layout, the translation
of service errors into pages, pagination without counting."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory

from clientbase import pages
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
HTMX = {"HTTP_HX_REQUEST": "true"}


# Sign-in, sign-out, password ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/customers/", "/contacts/", "/locations/", "/contacts/new/"])
def test_every_page_sends_anonymous_users_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_an_htmx_request_of_an_anonymous_user_redirects_the_whole_page(client):
    response = client.get("/?q=ann", **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/%3Fq%3Dann"


def test_login_page_has_labelled_fields_and_signs_staff_in(client, dispatcher):
    page = client.get("/accounts/login/?next=/customers/")
    html = page.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    response = client.post(
        "/accounts/login/", {"username": "dispatcher", "password": PASSWORD, "next": "/customers/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, dispatcher):
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_portal_users_cannot_sign_in_to_the_staff_pages(client, customer_with_two_sites, portal_user_factory):
    customer, _, _ = customer_with_two_sites
    user = portal_user_factory(customer)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    # Answered exactly like a wrong password, so the page tells nobody that the password is right.
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/", "/customers/", "/contacts/", "/accounts/password/"])
def test_a_signed_in_portal_user_gets_a_403_on_staff_pages(
    client, customer_with_two_sites, portal_user_factory, url
):
    customer, _, _ = customer_with_two_sites
    client.force_login(portal_user_factory(customer))
    response = client.get(url)
    assert response.status_code == 403
    assert "customer portal" in response.content.decode()


def test_logout_is_a_post(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_staff_change_their_password(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    dispatcher.refresh_from_db()
    assert dispatcher.check_password("a new long passphrase")
    assert client.get("/accounts/password/done/").status_code == 200


def test_a_wrong_old_password_changes_nothing(client, dispatcher):
    client.force_login(dispatcher)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "nope",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in response.content.decode()
    dispatcher.refresh_from_db()
    assert dispatcher.check_password(PASSWORD)


# Layout -------------------------------------------------------------------------------------------


def test_the_layout_has_landmarks_a_skip_link_and_htmx_served_by_the_app(client, dispatcher):
    client.force_login(dispatcher)
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert "<header" in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert '<main id="main"' in html
    assert 'id="messages"' in html
    assert 'aria-live="polite"' in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/django_htmx/htmx-2.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts), scripts  # no CDN
    for src in [*scripts, "/static/clientbase/app.css"]:
        assert client.get(src).status_code == 200, src


def test_the_navigation_shows_only_what_the_user_may_view(client, nobody, dispatcher):
    client.force_login(nobody)
    html = client.get("/").content.decode()
    assert 'href="/customers/"' not in html
    assert 'href="/contacts/"' not in html
    client.force_login(dispatcher)
    html = client.get("/").content.decode()
    assert 'href="/customers/"' in html
    assert 'href="/contacts/"' in html
    assert 'href="/locations/"' in html


# Service errors as pages --------------------------------------------------------------------------


def test_not_found_is_a_404_page(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get("/contacts/999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_forbidden_is_a_403_page_with_the_reason(client, nobody):
    client.force_login(nobody)
    response = client.get("/customers/")
    assert response.status_code == 403
    assert "You may not view customers." in response.content.decode()


def test_a_conflict_redirects_back_with_the_message_and_changes_nothing(client, dispatcher):
    inactive = ContactFactory(status="inactive")
    client.force_login(dispatcher)
    response = client.post(f"/contacts/{inactive.pk}/make-primary/", {"next": "/contacts/"}, follow=True)
    assert response.redirect_chain == [("/contacts/", 302)]
    assert "An inactive contact cannot be the primary contact." in response.content.decode()
    inactive.refresh_from_db()
    assert inactive.is_primary is False


@pytest.mark.parametrize(
    ("make", "status", "text"),
    [
        (
            lambda: ContactFactory(status="inactive").pk,
            409,
            "An inactive contact cannot be the primary contact.",
        ),
        (lambda: 999999, 404, "Contact not found."),
    ],
)
def test_htmx_gets_the_refusal_as_a_message_for_the_message_area(client, dispatcher, make, status, text):
    client.force_login(dispatcher)
    response = client.post(f"/contacts/{make()}/make-primary/", **HTMX)
    assert response.status_code == status
    assert response["HX-Retarget"] == "#messages"
    assert response["HX-Reswap"] == "innerHTML"
    assert text in response.content.decode()


def test_htmx_gets_a_forbidden_action_as_a_message(client, technician):
    contact = ContactFactory()
    client.force_login(technician)
    response = client.post(f"/contacts/{contact.pk}/make-primary/", **HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#messages"
    assert "You may not change this contact." in response.content.decode()


# Helpers ------------------------------------------------------------------------------------------


def test_paginate_reads_one_row_more_instead_of_counting(django_assert_num_queries):
    customers = [CustomerFactory(name=f"Pagination {n:02d}") for n in range(5)]
    from clientbase.customers.models import Customer

    request = RequestFactory().get("/customers/", {"search": "Pagination", "page": "2"})
    with django_assert_num_queries(1):
        page = pages.paginate(request, Customer.objects.filter(name__startswith="Pagination"), 2)
    assert [c.pk for c in page.rows] == [c.pk for c in customers[2:4]]
    assert page.has_next and page.has_previous
    assert page.next_url == "?search=Pagination&page=3"
    assert page.previous_url == "?search=Pagination"
    last = pages.paginate(
        RequestFactory().get("/", {"page": "3"}), Customer.objects.filter(name__startswith="Pagination"), 2
    )
    assert len(last.rows) == 1 and not last.has_next


@pytest.mark.parametrize("raw", ["0", "-3", "abc", ""])
def test_paginate_reads_a_bad_page_number_as_the_first_page(raw):
    page = pages.paginate(RequestFactory().get("/", {"page": raw}), [1, 2, 3], 2)
    assert page.number == 1
    assert page.rows == [1, 2]


def test_safe_next_refuses_other_sites():
    factory = RequestFactory()
    assert pages.safe_next(factory.get("/", {"next": "/contacts/"}), "/x/") == "/contacts/"
    assert pages.safe_next(factory.get("/", {"next": "https://evil.example/"}), "/x/") == "/x/"
    assert pages.safe_next(factory.get("/", {"next": "//evil.example/"}), "/x/") == "/x/"


def test_inactive_staff_users_are_not_staff():
    assert pages.is_staff(UserFactory.build(is_staff=True, is_active=True))
    assert not pages.is_staff(UserFactory.build(is_staff=True, is_active=False))
    assert not pages.is_staff(UserFactory.build(is_staff=False))


def test_apps_add_their_section_to_the_main_navigation(client, dispatcher, monkeypatch):
    monkeypatch.setattr(pages, "NAV_ITEMS", list(pages.NAV_ITEMS))
    pages.register_nav_item(pages.NavItem("extra", "Extra", "customers:location-list", "customers.Location"))
    pages.register_nav_item(pages.NavItem("hidden", "Hidden", "customers:location-list", "auth.Group"))
    client.force_login(dispatcher)
    html = client.get("/locations/").content.decode()
    assert '<a href="/locations/">Extra</a>' in html
    assert '<a href="/locations/" aria-current="page">Locations</a>' in html
    assert "Hidden" not in html  # the dispatcher may not view groups


def test_a_conflict_on_a_page_view_is_a_409_page_not_a_redirect_loop(rf, dispatcher):
    from clientbase.errors import Conflict

    class Refusing(pages.StaffPage):
        template_name = "base.html"

        def get(self, request, *args, **kwargs):
            raise Conflict("The customer is being merged.")

    request = rf.get("/somewhere/")
    request.user = dispatcher
    response = Refusing.as_view()(request)
    assert response.status_code == 409
    assert "The customer is being merged." in response.content.decode()


def test_paginate_caps_absurd_page_numbers():
    page = pages.paginate(RequestFactory().get("/", {"page": "9" * 40}), [1, 2, 3], 2)
    assert page.number == pages.MAX_PAGE
    assert page.rows == []
