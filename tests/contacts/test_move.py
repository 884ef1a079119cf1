"""Moving a contact to another customer: only through the explicit staff action (API
`POST contacts/{id}/move/`, the "Move to another customer" page), which ends the contact's portal
access, sessions and API tokens and everything else it held from its old customer. An update never
changes a contact's customer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from clientbase.portal.models import PortalSession
from tests.factories import ContactFactory, CustomerFactory, LocationFactory, UserFactory
from tests.portal.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/"


@pytest.fixture(autouse=True)
def _fresh_lockout():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(customer_with_two_sites):
    """Ann, a portal admin and approver of Northwind (its primary contact, with a site, a line
    manager, a direct report and an external ID), signed in to the portal and holding an API
    token; and Contoso, where she moves."""
    customer, north, _ = customer_with_two_sites
    boss = ContactFactory(customer=customer, last_name="Boss")
    ann = ContactFactory(
        customer=customer,
        first_name="Ann",
        last_name="Mover",
        email="ann@northwind.example",
        locations=[north],
        reports_to=boss,
        is_primary=True,
        role_approver=True,
        approval_limit=Decimal("5000.00"),
        external_id="NW-7",
        portal_enabled=True,
        portal_permissions=["admin"],
    )
    report = ContactFactory(customer=customer, last_name="Report", reports_to=ann)
    user = UserFactory(username="ann@northwind.example", email="ann@northwind.example", is_staff=False)
    user.set_password(PASSWORD)
    user.save()
    ann.user = user
    ann.save(update_fields=["user"])
    portal = Client()
    assert login(portal, "ann@northwind.example").status_code == 302
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "ann@northwind.example", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200, token.json()
    contoso = CustomerFactory(name="Contoso Offices")
    LocationFactory(customer=contoso, name="Contoso HQ")
    return {
        "customer": customer,
        "north": north,
        "boss": boss,
        "ann": ann,
        "report": report,
        "user": user,
        "portal": portal,
        "token": token.json()["token"],
        "contoso": contoso,
    }


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def everything() -> list:
    contacts = [tuple(sorted(row.items())) for row in Contact.objects.order_by("pk").values()]
    links = list(Contact.locations.through.objects.order_by("pk").values_list("contact_id", "location_id"))
    users = list(
        get_user_model().objects.order_by("pk").values_list("pk", "username", "is_active", "password")
    )
    return [contacts, links, Contact.history.count(), users, PortalSession.objects.count()]


def assert_still_signed_in(scene):
    assert scene["portal"].get("/portal/").status_code == 200
    assert token_client(scene["token"]).get("/api/v1/customers/").status_code == 200


def test_the_move_ends_portal_access_sessions_and_tokens_and_what_came_from_the_customer(
    api, dispatcher, scene
):
    ann, contoso = scene["ann"], scene["contoso"]
    assert_still_signed_in(scene)
    history = ann.history.count()
    response = api(dispatcher).post(f"{URL}{ann.pk}/move/", {"customer": contoso.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["customer"] == contoso.pk
    assert body["locations"] == [] and body["reports_to"] is None and body["is_primary"] is False
    assert body["roles"] == [] and body["approval_limit"] is None and body["external_id"] == ""
    assert body["portal"] == {"enabled": False, "permissions": [], "support_start": None, "support_end": None}
    # Its sessions and API tokens end at once; its login is closed.
    assert scene["portal"].get("/portal/").status_code == 302
    assert token_client(scene["token"]).get("/api/v1/customers/").status_code == 401
    user = scene["user"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert not PortalSession.objects.filter(user=user).exists()
    # The old customer's contacts no longer point at it.
    scene["report"].refresh_from_db()
    assert scene["report"].reports_to_id is None
    assert not Contact.objects.filter(customer=scene["customer"], is_primary=True).exists()
    # The history records the move, with who did it.
    ann.refresh_from_db()
    assert ann.history.count() > history
    latest = ann.history.first()
    assert latest.customer_id == contoso.pk and latest.history_user == dispatcher
    assert (ann.email, ann.first_name) == ("ann@northwind.example", "Ann")


def test_an_update_never_changes_the_customer(api, dispatcher, admin_user, scene):
    ann, contoso = scene["ann"], scene["contoso"]
    before = everything()
    for user in (dispatcher, admin_user):
        for body in ({"customer": contoso.pk}, {"customer": contoso.pk, "locations": []}, {"customer": None}):
            response = api(user).patch(f"{URL}{ann.pk}/", body, format="json")
            assert response.status_code == 400
            assert "move/" in response.json()["customer"][0]
    put = api(dispatcher).get(f"{URL}{ann.pk}/").json()
    writable = {
        k: v
        for k, v in put.items()
        if k
        not in (
            "id",
            "email_status",
            "last_verified_at",
            "details_confirmed_at",
            "details_confirmed_by_name",
            "created_at",
            "updated_at",
            "version",
        )
    }
    response = api(dispatcher).put(f"{URL}{ann.pk}/", {**writable, "customer": contoso.pk}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    assert everything() == before
    assert_still_signed_in(scene)


def test_the_staff_form_does_not_move_a_contact(dispatcher, scene):
    ann, contoso = scene["ann"], scene["contoso"]
    client = Client()
    client.force_login(dispatcher)
    page = client.get(f"/contacts/{ann.pk}/edit/").content.decode()
    assert "disabled" in page.split('name="customer"')[1].split(">")[0]
    assert "Move to another customer" in page
    before = everything()
    response = client.post(
        f"/contacts/{ann.pk}/edit/",
        {
            "customer": contoso.pk,
            "last_name": ann.last_name,
            "preferred_channel": "email",
            "status": "active",
            "email": ann.email,
            "roles": ["approver"],
            "approval_limit": "5000.00",
            "external_id": "NW-7",
            "portal_enabled": "on",
            "portal_permissions": ["admin"],
        },
    )
    assert response.status_code == 200
    assert "Move to another customer" in response.content.decode()
    assert everything() == before


@pytest.mark.parametrize("who", ["technician", "location_contact_clerk", "nobody"])
def test_staff_without_change_and_maintain_rights_cannot_move(request, api, scene, who):
    ann, contoso = scene["ann"], scene["contoso"]
    client = api(request.getfixturevalue(who))
    before = everything()
    response = client.post(f"{URL}{ann.pk}/move/", {"customer": contoso.pk}, format="json")
    assert response.status_code == 403
    assert "Contoso" not in response.content.decode()
    assert everything() == before


def test_portal_users_cannot_move_contacts(api, scene, make_editor):
    editor = make_editor()
    ann, contoso = scene["ann"], scene["contoso"]
    before = everything()
    for target in (scene["customer"].pk, contoso.pk):
        response = api(editor.user).post(f"{URL}{ann.pk}/move/", {"customer": target}, format="json")
        assert response.status_code == 403
        assert "Contoso" not in response.content.decode()
    assert everything() == before
    assert_still_signed_in(scene)


def test_a_missing_customer_is_a_404_and_the_same_customer_a_400(api, dispatcher, scene):
    ann = scene["ann"]
    before = everything()
    missing = api(dispatcher).post(f"{URL}{ann.pk}/move/", {"customer": 999999}, format="json")
    assert missing.status_code == 404
    same = api(dispatcher).post(f"{URL}{ann.pk}/move/", {"customer": scene["customer"].pk}, format="json")
    assert same.status_code == 400 and "customer" in same.json()
    unknown = api(dispatcher).post(f"{URL}{ann.pk}/move/", {"customer": "x", "extra": 1}, format="json")
    assert unknown.status_code == 400
    assert everything() == before
    assert_still_signed_in(scene)


def test_the_confirmation_page_says_what_ends_and_the_post_moves(dispatcher, technician, scene):
    ann, contoso = scene["ann"], scene["contoso"]
    client = Client()
    client.force_login(dispatcher)
    detail = client.get(f"/contacts/{ann.pk}/").content.decode()
    assert f'href="/contacts/{ann.pk}/move/"' in detail
    page = client.get(f"/contacts/{ann.pk}/move/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "portal access ends",
        "API token",
        "North Campus",
        "Boss",
        "Report",
        "primary contact",
        "$5,000.00",
        "NW-7",
        "Contoso Offices",
    ):
        assert text in html, text
    assert ">Northwind Hospitals (" not in html  # its own customer is not offered
    response = client.post(f"/contacts/{ann.pk}/move/", {"customer": contoso.pk})
    assert response.status_code == 302 and response["Location"] == f"/contacts/{ann.pk}/"
    ann.refresh_from_db()
    assert ann.customer_id == contoso.pk and not ann.portal_enabled
    assert "portal access, sessions and API tokens ended" in client.get(response["Location"]).content.decode()
    assert scene["portal"].get("/portal/").status_code == 302
    # Who may not move sees no button, and the page refuses.
    other = Client()
    other.force_login(technician)
    assert "/move/" not in other.get(f"/contacts/{ann.pk}/").content.decode()
    assert other.get(f"/contacts/{ann.pk}/move/").status_code == 403
    assert other.post(f"/contacts/{ann.pk}/move/", {"customer": scene["customer"].pk}).status_code == 403


def test_an_import_row_naming_another_customer_never_moves_the_contact(dispatcher, scene):
    import io

    from clientbase.transfer.services import import_file

    ann, contoso = scene["ann"], scene["contoso"]
    text = f"external_id,customer,last_name\nNW-7,{contoso.number},Mover\n"
    import_file(acting_user=dispatcher, kind="contacts", file=io.BytesIO(text.encode()), dry_run=False)
    ann.refresh_from_db()
    assert ann.customer_id == scene["customer"].pk and ann.portal_enabled
    assert_still_signed_in(scene)


@pytest.fixture
def make_editor(scene):
    def make():
        login_user = UserFactory(username="eddie@northwind.example", is_staff=False)
        return ContactFactory(
            customer=scene["customer"],
            user=login_user,
            email="eddie@northwind.example",
            portal_enabled=True,
            portal_permissions=["edit_contacts"],
        )

    return make


def test_the_new_customer_reads_neither_the_old_notes_nor_the_old_history(
    api, dispatcher, scene, portal_user_factory
):
    ann = scene["ann"]
    Contact.objects.filter(pk=ann.pk).update(notes="Northwind internal: door code 4471", title="Head of Ops")
    assert api(dispatcher).patch(f"{URL}{ann.pk}/", {"title": "Director"}, format="json").status_code == 200
    response = api(dispatcher).post(f"{URL}{ann.pk}/move/", {"customer": scene["contoso"].pk}, format="json")
    assert response.status_code == 200, response.json()
    ann.refresh_from_db()
    assert ann.notes == ""
    viewer = portal_user_factory(
        scene["contoso"], permissions=["edit_contacts"], email="karen@contoso.example"
    )
    client = APIClient()
    client.force_authenticate(viewer)
    record = client.get(f"{URL}{ann.pk}/")
    assert record.status_code == 200 and "4471" not in record.content.decode()
    history = client.get(f"{URL}{ann.pk}/history/")
    assert history.status_code == 200
    text = history.content.decode()
    assert "4471" not in text and "Head of Ops" not in text and "Director" not in text
    # Staff still see the whole history.
    assert "Director" in api(dispatcher).get(f"{URL}{ann.pk}/history/").content.decode()
