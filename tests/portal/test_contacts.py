"""The portal's contacts pages as the product describes them, and the rules a portal user meets
there: never delete yourself, never remove the customer's last portal admin, portal access granted
only by a portal admin and only within its own capabilities and support period, a login e-mail
changed only with admin (the old address told)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.notifications.models import Message
from tests.factories import ContactFactory
from tests.helpers import assert_unchanged
from tests.portal.conftest import PASSWORD, login, signed_in, today

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def editor(make_portal_contact, northwind):
    """A portal user who may edit contacts, and nothing more."""
    customer, _, _ = northwind
    return make_portal_contact(
        customer, ["edit_contacts"], first_name="Eddie", last_name="Editor", email="eddie@northwind.example"
    )


# The list ---------------------------------------------------------------------------------------


def test_the_contacts_page_has_the_columns_and_actions_of_the_product(admin_contact, colleague, contoso):
    page = text(signed_in(admin_contact).get("/portal/contacts/"))
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert headers == ["Title", "Name", "Phone", "E-mail", "Actions"]
    assert "Mr." in page and "Bob Builder" in page and "bob@northwind.example" in page
    assert "+1 312-555-0101" in page  # Alice's phone, readable
    assert f'href="/portal/contacts/{colleague.pk}/"' in page
    assert f'href="/portal/contacts/{colleague.pk}/edit/"' in page
    assert f'href="/portal/contacts/{colleague.pk}/delete/"' in page
    assert 'data-confirm-delete="Bob Builder"' in page
    assert f'href="/portal/contacts/{admin_contact.pk}/delete/"' not in page  # not for oneself
    assert "Olga" not in page  # another customer's
    assert "Add Contact" in page


def test_search_by_name_and_status_never_leaks_another_customer(admin_contact, colleague, northwind):
    customer, _, _ = northwind
    ContactFactory(customer=customer, first_name="Bobby", last_name="Gone", status="inactive")
    client = signed_in(admin_contact)

    def rows(query: str) -> str:
        page = text(client.get(f"/portal/contacts/{query}"))
        return page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else page

    assert "Bob Builder" in rows("?search=builder") and "Alice" not in rows("?search=builder")
    inactive = rows("?search=bob&status=inactive")
    assert "Bobby Gone" in inactive and "Bob Builder" not in inactive
    assert "No contact matches this search" in rows("?search=Olga")
    assert "No contact matches this search" in rows("?search=contoso")


def test_the_view_page_shows_the_portal_permissions_and_offers_edit_and_delete(
    admin_contact, make_portal_contact, northwind
):
    customer, _, _ = northwind
    pia = make_portal_contact(customer, ["billing", "reports"], first_name="Pia", last_name="Portal")
    page = text(signed_in(admin_contact).get(f"/portal/contacts/{pia.pk}/"))
    assert "Access billing" in page and "Access reports" in page
    assert f"/portal/contacts/{pia.pk}/edit/" in page and f"/portal/contacts/{pia.pk}/delete/" in page
    assert "Send a new invitation" in page


def test_the_contact_card_download_is_the_contact(admin_contact, colleague):
    response = signed_in(admin_contact).get(f"/portal/contacts/{colleague.pk}/vcard/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    assert b"Builder" in response.content


# Add, edit, delete ---------------------------------------------------------------------------------


def test_an_admin_adds_a_colleague_with_a_permission_level_and_its_own_support_period(
    admin_contact, northwind
):
    customer, north, _ = northwind
    admin_contact.support_end = today() + datetime.timedelta(days=90)
    admin_contact.save()
    client = signed_in(admin_contact)
    response = client.post(
        "/portal/contacts/new/",
        {
            "salutation": "Dr.",
            "first_name": "Nina",
            "last_name": "New",
            "email": "nina@northwind.example",
            "phone": "(312) 555-0177",
            "locations": [north.pk],
            "status": "active",
            "portal_enabled": "on",
            "portal_permissions": ["billing", "create_work_order"],
        },
    )
    assert response.status_code == 302, text(response)
    nina = Contact.objects.get(email="nina@northwind.example")
    assert nina.customer_id == customer.pk and nina.phone == "+13125550177"
    assert nina.portal_enabled and nina.portal_permissions == ["billing", "create_work_order"]
    assert nina.support_end == admin_contact.support_end
    assert nina.user is not None and not nina.user.has_usable_password()
    [invitation] = Message.objects.filter(contact=nina, event="portal.invitation")
    assert invitation.context["invited_by"] == "Alice Admin"
    assert "will receive an e-mail to choose a password" in text(client.get(response["Location"]))


def test_an_editor_adds_and_edits_contacts_but_sees_no_portal_level(editor, colleague):
    client = signed_in(editor)
    form = text(client.get("/portal/contacts/new/"))
    assert "Portal permission level" not in form
    # Portal fields the form does not offer, posted anyway, are refused (403, the field named).
    refused = client.post(
        "/portal/contacts/new/",
        {"last_name": "Plain", "status": "active", "portal_enabled": "on", "portal_permissions": ["admin"]},
    )
    assert refused.status_code == 403
    assert "“portal”" in text(refused)
    assert not Contact.objects.filter(last_name="Plain").exists()
    response = client.post("/portal/contacts/new/", {"last_name": "Plain", "status": "active"})
    assert response.status_code == 302
    plain = Contact.objects.get(last_name="Plain")
    assert not plain.portal_enabled and plain.portal_permissions == []
    # The edit form as a browser sends it: every field, one of them changed.
    response = client.post(
        f"/portal/contacts/{colleague.pk}/edit/",
        {
            "salutation": "Mr.",
            "first_name": "Bob",
            "last_name": "Builder-Smith",
            "title": "Facilities Manager",
            "email": "bob@northwind.example",
            "locations": [loc.pk for loc in colleague.locations.all()],
            "status": "active",
        },
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert (colleague.last_name, colleague.title) == ("Builder-Smith", "Facilities Manager")


def test_a_bad_input_is_shown_on_the_form_and_changes_nothing(admin_contact, colleague):
    client = signed_in(admin_contact)
    url = f"/portal/contacts/{colleague.pk}/edit/"
    bad_phone = client.post(url, {"last_name": "Builder", "phone": "12", "status": "active"})
    assert bad_phone.status_code == 200
    assert "is not a valid phone number" in text(bad_phone)
    bad_email = client.post(url, {"last_name": "Builder", "email": "not an address", "status": "active"})
    assert bad_email.status_code == 200
    assert "Enter a valid e-mail address" in text(bad_email)
    colleague.refresh_from_db()
    assert (colleague.email, colleague.phone) == ("bob@northwind.example", "")


def test_deleting_a_colleague_after_the_confirmation(admin_contact, colleague):
    client = signed_in(admin_contact)
    confirmation = text(client.get(f"/portal/contacts/{colleague.pk}/delete/"))
    assert "Confirm Delete" in confirmation and "Bob Builder" in confirmation
    response = client.post(f"/portal/contacts/{colleague.pk}/delete/")
    assert response["Location"] == "/portal/contacts/"
    assert not Contact.objects.filter(pk=colleague.pk).exists()
    assert "Bob Builder was deleted." in text(client.get("/portal/contacts/"))


def test_a_portal_user_can_never_delete_itself(admin_contact):
    client = signed_in(admin_contact)
    for response in (
        client.get(f"/portal/contacts/{admin_contact.pk}/delete/"),
        client.post(f"/portal/contacts/{admin_contact.pk}/delete/"),
    ):
        assert response.status_code == 403
        assert "You cannot delete yourself." in text(response)
    assert Contact.objects.filter(pk=admin_contact.pk).exists()


def test_deleting_a_portal_user_closes_its_login(admin_contact, make_portal_contact, northwind):
    customer, _, _ = northwind
    pia = make_portal_contact(customer, ["billing"], first_name="Pia", last_name="Portal")
    session = Client()
    login(session, pia.email)
    signed_in(admin_contact).post(f"/portal/contacts/{pia.pk}/delete/")
    assert session.get("/portal/").status_code == 302
    pia.user.refresh_from_db()
    assert not pia.user.is_active


# The last portal admin --------------------------------------------------------------------------------


def test_the_last_portal_admin_cannot_be_deleted(editor, admin_contact):
    client = signed_in(editor)
    response = client.post(f"/portal/contacts/{admin_contact.pk}/delete/")
    assert response.status_code == 302
    follow = text(client.get(response["Location"]))
    assert "Alice Admin is the last portal admin of this customer" in follow
    assert Contact.objects.filter(pk=admin_contact.pk).exists()


def test_an_admin_is_deleted_when_another_remains(admin_contact, make_portal_contact, northwind):
    customer, _, _ = northwind
    second = make_portal_contact(customer, ["admin"], first_name="Sam", last_name="Second")
    response = signed_in(admin_contact).post(f"/portal/contacts/{second.pk}/delete/")
    assert response["Location"] == "/portal/contacts/"
    assert not Contact.objects.filter(pk=second.pk).exists()


def test_the_last_portal_admin_cannot_be_made_inactive(editor, admin_contact):
    response = signed_in(editor).post(
        f"/portal/contacts/{admin_contact.pk}/edit/",
        {
            "salutation": "Ms.",
            "first_name": "Alice",
            "last_name": "Admin",
            "email": admin_contact.email,
            "phone": "+1 312-555-0101",
            "status": "inactive",
        },
    )
    assert response.status_code == 409
    assert "last portal admin" in text(response)
    admin_contact.refresh_from_db()
    assert admin_contact.status == "active"


def test_the_last_portal_admin_cannot_be_made_inactive_through_the_api_either(api, editor, admin_contact):
    with assert_unchanged(admin_contact):
        response = api(editor.user).patch(
            f"/api/v1/contacts/{admin_contact.pk}/", {"status": "inactive"}, format="json"
        )
    assert response.status_code == 409
    assert "last portal admin" in response.json()["detail"]


def test_an_admin_takes_admin_from_another_admin_but_not_from_the_last(
    admin_contact, make_portal_contact, northwind
):
    customer, _, _ = northwind
    second = make_portal_contact(customer, ["admin"], first_name="Sam", last_name="Second")
    response = signed_in(admin_contact).post(
        f"/portal/contacts/{second.pk}/edit/",
        {
            "first_name": "Sam",
            "last_name": "Second",
            "email": second.email,
            "status": "active",
            "portal_enabled": "on",
            "portal_permissions": ["billing"],
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.portal_permissions == ["billing"]


# Portal access: only admins grant it, within their own ----------------------------------------------


def test_only_a_portal_admin_grants_portal_access_even_through_the_api(api, editor, colleague):
    response = api(editor.user).patch(
        f"/api/v1/contacts/{colleague.pk}/",
        {"portal": {"enabled": True, "permissions": ["billing"]}},
        format="json",
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "“portal”" in detail and "only by a portal admin" in detail
    colleague.refresh_from_db()
    assert not colleague.portal_enabled and colleague.user is None
    assert not Message.objects.exists()


def test_nobody_changes_its_own_portal_access(api, admin_contact):
    with assert_unchanged(admin_contact):
        response = api(admin_contact.user).patch(
            f"/api/v1/contacts/{admin_contact.pk}/",
            {"portal": {"permissions": ["admin", "billing"]}},
            format="json",
        )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "You may not change “portal”: you cannot change your own portal access."
    )
    editing_myself = text(signed_in(admin_contact).get(f"/portal/contacts/{admin_contact.pk}/edit/"))
    assert "Portal permission level" not in editing_myself


def test_a_support_period_beyond_the_admins_own_is_refused(api, admin_contact, colleague):
    admin_contact.support_end = today() + datetime.timedelta(days=30)
    admin_contact.save()
    response = api(admin_contact.user).patch(
        f"/api/v1/contacts/{colleague.pk}/",
        {
            "portal": {
                "enabled": True,
                "permissions": ["billing"],
                "support_end": str(today() + datetime.timedelta(days=365)),
            }
        },
        format="json",
    )
    assert response.status_code == 400
    assert "must lie within your own" in response.json()["portal"][0]
    colleague.refresh_from_db()
    assert not colleague.portal_enabled


def test_the_portal_admin_re_sends_an_invitation(admin_contact, make_portal_contact, northwind):
    customer, _, _ = northwind
    pia = make_portal_contact(customer, ["billing"], first_name="Pia", last_name="Portal")
    response = signed_in(admin_contact).post(f"/portal/contacts/{pia.pk}/invitation/")
    assert response.status_code == 302
    assert Message.objects.filter(contact=pia, event="portal.invitation").count() == 1


# The login e-mail -------------------------------------------------------------------------------------


def test_an_editor_cannot_change_a_portal_users_login_e_mail(api, editor, make_portal_contact, northwind):
    customer, _, _ = northwind
    pia = make_portal_contact(
        customer, ["billing"], first_name="Pia", last_name="Portal", email="pia@northwind.example"
    )
    form = text(signed_in(editor).get(f"/portal/contacts/{pia.pk}/edit/"))
    assert "only a portal admin can change it" in form
    response = api(editor.user).patch(
        f"/api/v1/contacts/{pia.pk}/", {"email": "evil@attacker.example"}, format="json"
    )
    assert response.status_code == 403
    assert "needs the portal admin permission" in response.json()["detail"]
    pia.refresh_from_db()
    assert pia.email == "pia@northwind.example"


def test_an_admin_changes_its_own_sign_in_e_mail_and_the_old_address_is_told(admin_contact):
    client = signed_in(admin_contact)
    refused = client.post(
        "/portal/profile/email/", {"email": "alice2@northwind.example", "password": "wrong"}
    )
    assert refused.status_code == 200 and "This is not your current password." in text(refused)
    response = client.post(
        "/portal/profile/email/", {"email": "alice2@northwind.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    admin_contact.refresh_from_db()
    assert admin_contact.email == "alice2@northwind.example"
    [note] = Message.objects.filter(event="portal.email_changed")
    assert note.to == "alice@northwind.example"
    assert client.get("/portal/").status_code == 200  # still signed in
    assert login(Client(), "alice2@northwind.example").status_code == 302


def test_without_admin_one_cannot_change_ones_sign_in_e_mail(editor):
    client = signed_in(editor)
    assert client.get("/portal/profile/email/").status_code == 403
    response = client.post("/portal/profile/email/", {"email": "x@northwind.example", "password": PASSWORD})
    assert response.status_code == 403
    editor.refresh_from_db()
    assert editor.email == "eddie@northwind.example"


def test_changing_ones_password_keeps_the_session_and_a_revocation_still_ends_it(
    client, admin_contact, api, dispatcher
):
    login(client, admin_contact.email)
    response = client.post(
        "/portal/profile/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase-42",
            "new_password2": "another-long-phrase-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200
    api(dispatcher).post(f"/api/v1/contacts/{admin_contact.pk}/revoke-portal/")
    assert client.get("/portal/").status_code == 302


def test_an_unknown_portal_address_is_the_portals_404(admin_contact):
    response = signed_in(admin_contact).get("/portal/no-such-page/")
    assert response.status_code == 404
    assert "There is no such page in the portal." in text(response)


def test_the_contacts_page_costs_the_same_for_few_and_many_contacts(admin_contact, northwind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer, north, _ = northwind
    client = signed_in(admin_contact)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/portal/contacts/").status_code == 200
        return len(captured)

    ContactFactory(customer=customer, locations=[north], phone="+13125550111")
    few = queries()
    for n in range(15):
        ContactFactory(customer=customer, locations=[north], phone=f"+1312555{n:04d}")
    assert queries() == few
    assert few <= 12


def test_an_editor_cannot_slip_portal_permissions_into_a_new_contact_through_the_api(api, editor, northwind):
    customer, _, _ = northwind
    response = api(editor.user).post(
        "/api/v1/contacts/",
        {
            "customer": customer.pk,
            "last_name": "Sleeper",
            "portal": {"enabled": False, "permissions": ["admin"]},
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Contact.objects.filter(last_name="Sleeper").exists()
