"""Forms where a signed-in user confirms a change with its current password (the staff and portal
password change, the portal's sign-in address) go through the one lockout policy: wrong guesses
count towards the name's lockout, a locked-out name is refused there (429) without a password
check, and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client

from clientbase.audit.models import AuditEvent
from tests.test_signin import PORTAL_PASSWORD, STAFF_PASSWORD, _fresh_counts, portal_contact, sign_in  # noqa: F401

pytestmark = pytest.mark.django_db
LOCKED = "Too many failed sign-in attempts"
NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture
def staff_user(db):
    from tests.factories import UserFactory

    user = UserFactory(username="dispatcher", is_staff=True)
    assert user.check_password(STAFF_PASSWORD)
    return user


def staff_client(user) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10")
    client.force_login(user)
    return client


def portal_client(contact) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10")
    client.force_login(contact.user, backend="clientbase.portal.backends.PortalBackend")
    return client


def change_password(client: Client, url: str, old: str):
    return client.post(
        url, {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )


FORMS = {
    "staff password": ("/accounts/password/", "staff"),
    "portal password": ("/portal/profile/password/", "portal"),
    "portal sign-in address": ("/portal/profile/email/", "portal"),
}


def attempt(form: str, client: Client, password: str):
    url, _ = FORMS[form]
    if form == "portal sign-in address":
        return client.post(url, {"email": "new-address@northwind.example", "password": password})
    return change_password(client, url, password)


def unchanged(form, staff_user, portal_contact):  # noqa: F811
    user = staff_user if FORMS[form][1] == "staff" else portal_contact.user
    user.refresh_from_db()
    portal_contact.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)
    assert portal_contact.email == "Alice@northwind.example"


@pytest.mark.parametrize("form", list(FORMS))
def test_wrong_current_passwords_lock_the_name_and_then_the_right_one_is_refused(
    form,
    staff_user,
    portal_contact,  # noqa: F811
    settings,
):
    kind = FORMS[form][1]
    client = staff_client(staff_user) if kind == "staff" else portal_client(portal_contact)
    right = STAFF_PASSWORD if kind == "staff" else PORTAL_PASSWORD
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        response = attempt(form, client, f"guess-{n}")
        assert response.status_code == 200 and "not your current password" in response.content.decode()
    response = attempt(form, client, right)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert int(response["Retry-After"]) > 0
    unchanged(form, staff_user, portal_contact)
    name = staff_user.username if kind == "staff" else portal_contact.email  # the name signed in with
    assert AuditEvent.objects.filter(type="auth.lockout", username=name).count() == 1
    # The guesses locked the sign-in forms too.
    sign_in_path, sign_in_name = ("staff", staff_user.username) if kind == "staff" else ("portal", name)
    assert sign_in(sign_in_path, sign_in_name, right)[0] == "locked"


@pytest.mark.parametrize("form", list(FORMS))
def test_a_name_locked_at_the_sign_in_form_is_locked_here(form, staff_user, portal_contact, settings):  # noqa: F811
    kind = FORMS[form][1]
    path, name = ("staff", staff_user.username) if kind == "staff" else ("portal", portal_contact.email)
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        assert sign_in(path, name, f"guess-{n}", remote="198.51.100.7")[0] == "refused"
    client = staff_client(staff_user) if kind == "staff" else portal_client(portal_contact)
    response = attempt(form, client, STAFF_PASSWORD if kind == "staff" else PORTAL_PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    unchanged(form, staff_user, portal_contact)


def test_the_right_current_password_still_changes_it(staff_user, portal_contact):  # noqa: F811
    assert change_password(staff_client(staff_user), "/accounts/password/", STAFF_PASSWORD).status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password(NEW_PASSWORD)
    response = attempt("portal sign-in address", portal_client(portal_contact), PORTAL_PASSWORD)
    assert response.status_code == 302
    portal_contact.refresh_from_db()
    assert portal_contact.email == "new-address@northwind.example"


def test_a_portal_login_is_counted_under_its_address_whatever_its_username(portal_contact, settings):  # noqa: F811
    from clientbase.portal.services.accounts import login_username

    user = portal_contact.user
    user.username = login_username(portal_contact.email, portal_contact.customer_id)
    user.save(update_fields=["username"])
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        assert sign_in("portal", portal_contact.email, f"guess-{n}", remote="198.51.100.7")[0] == "refused"
    response = attempt("portal password", portal_client(portal_contact), PORTAL_PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)
