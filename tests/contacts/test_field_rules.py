"""Field rules of contacts (`clientbase.contacts.policies`), on every surface that writes a contact:
approval authority (`roles` gaining or losing `approver`, `approval_limit`) only by staff holding
`contacts.set_approval_authority`; portal access (`portal`) only by those who manage it (staff
who may change contacts, a portal admin for its colleagues, never for itself); `external_id` only
by staff who may change contacts. Anyone else gets 403 naming the field and nothing changes; the
stored value sent back is no change."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from clientbase import groups
from clientbase.contacts.models import Contact
from clientbase.notifications.models import Message
from clientbase.transfer.services import import_file
from clientbase.workorders.models import Quote
from tests.factories import ContactFactory, UserFactory
from tests.workorders.factories import QuoteFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/"
WRITABLE = (
    "customer",
    "salutation",
    "first_name",
    "last_name",
    "title",
    "department",
    "roles",
    "email",
    "phone",
    "mobile",
    "secondary_phone",
    "preferred_channel",
    "notes",
    "is_primary",
    "locations",
    "reports_to",
    "address",
    "status",
    "approval_limit",
    "notify",
    "portal",
    "external_id",
)


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", groups=[groups.ADMINISTRATOR])


@pytest.fixture
def add_only_clerk(db):
    """May add contacts (and see customers) but not change them."""
    user = UserFactory(username="addonly")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["contacts", "customers"], codename__startswith="view_"
        ),
        *Permission.objects.filter(
            codename__in=["add_contact", "maintain_customer_contacts"], content_type__app_label="contacts"
        ),
    )
    return user


@pytest.fixture
def scene(customer_with_two_sites):
    """A customer with a portal user who may edit contacts (`editor`), a colleague without
    authority and an approver with a limit of 500.00 and an external ID."""
    customer, north, _ = customer_with_two_sites
    login = UserFactory(username="editor@northwind.example", is_staff=False)
    editor = ContactFactory(
        customer=customer,
        user=login,
        email="editor@northwind.example",
        portal_enabled=True,
        portal_permissions=["edit_contacts"],
        locations=[north],
    )
    colleague = ContactFactory(
        customer=customer, email="bob@northwind.example", role_site=True, locations=[north], title="Tech"
    )
    approver = ContactFactory(
        customer=customer,
        email="ann@northwind.example",
        role_approver=True,
        approval_limit=Decimal("500.00"),
        external_id="E-1",
        locations=[north],
    )
    return {
        "customer": customer,
        "north": north,
        "editor": editor,
        "colleague": colleague,
        "approver": approver,
    }


def everything() -> list:
    """Every stored contact row with its links, the history, the logins and the outbox."""
    contacts = [tuple(sorted(row.items())) for row in Contact.objects.order_by("pk").values()]
    links = list(Contact.locations.through.objects.order_by("pk").values_list("contact_id", "location_id"))
    users = list(get_user_model().objects.order_by("pk").values_list("pk", "username", "is_active"))
    return [contacts, links, Contact.history.count(), users, Message.objects.count()]


# (name, target, change, field): each an attempt to change one protected field.
CHANGES = [
    ("gain approver", "colleague", {"roles": ["site", "approver"]}, "roles"),
    ("lose approver", "approver", {"roles": [], "approval_limit": None}, "roles"),
    ("raise the limit", "approver", {"approval_limit": "1000000.00"}, "approval_limit"),
    ("grant portal", "colleague", {"portal": {"enabled": True, "permissions": ["admin"]}}, "portal"),
    ("set external_id", "colleague", {"external_id": "ERP-9"}, "external_id"),
]
APPROVAL = {"roles", "approval_limit"}
# Who may change which of the fields (everyone else: 403).
ALLOWED = {
    "editor": set(),
    "dispatcher": {"portal", "external_id"},
    "accounts_clerk": {"roles", "approval_limit", "portal", "external_id"},
    "administrator": {"roles", "approval_limit", "portal", "external_id"},
}


def actor(request, scene, name):
    return scene["editor"].user if name == "editor" else request.getfixturevalue(name)


def assert_refused(response, field, before, *, leaked=()):
    assert response.status_code == 403, response.content.decode()[:2000]
    assert f"“{field}”" in response.json()["detail"]
    assert everything() == before
    for secret in leaked:
        assert secret not in response.content.decode()


def assert_stored(contact, change):
    contact.refresh_from_db()
    field, value = next(iter(change.items()))
    if field == "roles":
        assert contact.roles == value
    elif field == "approval_limit":
        assert contact.approval_limit == Decimal(value)
    elif field == "portal":
        assert contact.portal_enabled and contact.portal_permissions == value["permissions"]
    else:
        assert getattr(contact, field) == value


def put_body(client, contact, change):
    body = {key: value for key, value in client.get(f"{URL}{contact.pk}/").json().items() if key in WRITABLE}
    return {**body, **change}


# API: PATCH, PUT, POST --------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(ALLOWED))
@pytest.mark.parametrize(("name", "target", "change", "field"), CHANGES, ids=[c[0] for c in CHANGES])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_api_patch_and_put_change_a_protected_field_only_when_allowed(
    request, api, scene, who, name, target, change, field, method
):
    contact = scene[target]
    client = api(actor(request, scene, who))
    body = change if method == "patch" else put_body(client, contact, change)
    before = everything()
    response = getattr(client, method)(f"{URL}{contact.pk}/", body, format="json")
    if field in ALLOWED[who]:
        assert response.status_code == 200, response.json()
        assert_stored(contact, change)
    else:
        assert_refused(response, field, before, leaked=["1000000", "ERP-9"])


@pytest.mark.parametrize("who", list(ALLOWED))
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"roles": ["approver"]}, "roles"),
        ({"approval_limit": "100.00"}, "approval_limit"),
        ({"portal": {"enabled": False, "permissions": ["admin"]}}, "portal"),
        ({"external_id": "ERP-7"}, "external_id"),
    ],
    ids=["roles", "approval_limit", "portal", "external_id"],
)
def test_api_post_gives_a_new_contact_a_protected_field_only_when_allowed(
    request, api, scene, who, change, field
):
    body = {"customer": scene["customer"].pk, "last_name": "Newcomer", "locations": [scene["north"].pk]}
    if field == "approval_limit" and field in ALLOWED[who]:
        body["roles"] = ["approver"]  # the limit needs the role (a rule of its own)
    client = api(actor(request, scene, who))
    before = everything()
    response = client.post(URL, {**body, **change}, format="json")
    if field in ALLOWED[who]:
        assert response.status_code == 201, response.json()
    else:
        assert_refused(response, field, before)
        assert not Contact.objects.filter(last_name="Newcomer").exists()


def test_the_portal_user_cannot_make_itself_an_approver_and_then_approve(api, scene):
    """The attack: PATCH one's own roles and limit, then approve a quote of any amount."""
    editor = scene["editor"]
    quote = QuoteFactory(customer=scene["customer"], status=Quote.Status.SENT, amount=Decimal("99999.00"))
    client = api(editor.user)
    before = everything()
    for change, field in (
        ({"roles": ["approver"], "approval_limit": None}, "roles"),
        ({"approval_limit": "1000000.00"}, "approval_limit"),
        ({"portal": {"permissions": ["admin", "edit_contacts"]}}, "portal"),
    ):
        assert_refused(client.patch(f"{URL}{editor.pk}/", change, format="json"), field, before)
    approve = client.post(f"/api/v1/quotes/{quote.pk}/approve/", {"contact": editor.pk}, format="json")
    assert approve.status_code in (403, 409)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.approved_by is None


@pytest.mark.parametrize("who", ["editor", "dispatcher"])
def test_sending_the_stored_values_back_is_no_change(request, api, scene, who):
    client = api(actor(request, scene, who))
    approver = scene["approver"]
    stored = {
        "roles": ["approver"],
        "approval_limit": "500.00",
        "external_id": "E-1",
        "portal": {"enabled": False, "permissions": []},
    }
    response = client.patch(f"{URL}{approver.pk}/", {**stored, "title": "Head of Facilities"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Head of Facilities"
    put = client.put(f"{URL}{approver.pk}/", put_body(client, approver, {"title": "Chief"}), format="json")
    assert put.status_code == 200, put.json()
    approver.refresh_from_db()
    assert (approver.title, approver.role_approver, approver.approval_limit) == (
        "Chief",
        True,
        Decimal("500"),
    )


def test_other_roles_stay_free_without_approval_authority(api, dispatcher, scene):
    approver = scene["approver"]
    response = api(dispatcher).patch(
        f"{URL}{approver.pk}/", {"roles": ["approver", "billing"]}, format="json"
    )
    assert response.status_code == 200
    approver.refresh_from_db()
    assert approver.roles == ["billing", "approver"] and approver.approval_limit == Decimal("500")


def test_a_technician_changing_notes_may_not_slip_in_a_limit(api, technician, scene):
    approver = scene["approver"]
    before = everything()
    response = api(technician).patch(
        f"{URL}{approver.pk}/", {"notes": "Call first", "approval_limit": "9999.00"}, format="json"
    )
    assert_refused(response, "approval_limit", before)


def test_duplicating_an_approver_keeps_the_authority_only_for_who_may_give_it(
    api, dispatcher, accounts_clerk, scene
):
    approver = scene["approver"]
    by_dispatcher = api(dispatcher).post(f"{URL}{approver.pk}/duplicate/")
    assert by_dispatcher.status_code == 201
    assert "approver" not in by_dispatcher.json()["roles"]
    assert by_dispatcher.json()["approval_limit"] is None
    by_clerk = api(accounts_clerk).post(f"{URL}{approver.pk}/duplicate/")
    assert by_clerk.status_code == 201
    assert by_clerk.json()["roles"] == ["approver"] and by_clerk.json()["approval_limit"] == "500.00"


# The staff contact form -------------------------------------------------------------------------


def form_post(contact, **overrides):
    """What the staff edit form posts for `contact`, every field as stored."""
    data = {
        "customer": contact.customer_id or "",
        "salutation": contact.salutation,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "department": contact.department,
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "secondary_phone": contact.secondary_phone,
        "preferred_channel": contact.preferred_channel,
        "reports_to": contact.reports_to_id or "",
        "status": contact.status,
        "approval_limit": "" if contact.approval_limit is None else str(contact.approval_limit),
        "roles": contact.roles,
        "notify": [category for category, on in contact.notify.items() if on],
        "locations": [location.pk for location in contact.locations.all()] if contact.pk else [],
        "notes": contact.notes,
        "support_start": "",
        "support_end": "",
        "portal_permissions": list(contact.portal_permissions or []),
        "external_id": contact.external_id,
        **{f"address_{key}": "" for key in ("street", "street2", "city", "region", "postal_code", "country")},
    }
    if contact.portal_enabled:
        data["portal_enabled"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("target", "overrides", "field"),
    [
        ("colleague", {"roles": ["site", "approver"]}, "roles"),
        ("approver", {"approval_limit": "1000000.00"}, "approval_limit"),
    ],
)
def test_the_dispatcher_cannot_change_approval_authority_on_the_staff_form(
    dispatcher, scene, target, overrides, field
):
    contact = scene[target]
    before = everything()
    response = signed_in(dispatcher).post(f"/contacts/{contact.pk}/edit/", form_post(contact, **overrides))
    assert response.status_code == 403
    assert f"“{field}”" in response.content.decode()
    assert everything() == before


def test_the_staff_form_refuses_a_new_approver_of_the_dispatcher(dispatcher, scene):
    draft = Contact(customer=scene["customer"], last_name="Newcomer", email="new@northwind.example")
    data = form_post(draft, roles=["approver"], locations=[scene["north"].pk], notify_from_roles="on")
    before = everything()
    response = signed_in(dispatcher).post("/contacts/new/", data)
    assert response.status_code == 403 and "“roles”" in response.content.decode()
    assert everything() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"external_id": "ERP-5"}, "external_id"), ({"portal_enabled": "on"}, "portal")],
)
def test_who_may_only_add_contacts_sets_no_external_id_or_portal_access(
    add_only_clerk, scene, overrides, field
):
    draft = Contact(customer=scene["customer"], last_name="Newcomer", email="new@northwind.example")
    data = form_post(draft, locations=[scene["north"].pk], notify_from_roles="on", **overrides)
    before = everything()
    response = signed_in(add_only_clerk).post("/contacts/new/", data)
    assert response.status_code == 403 and f"“{field}”" in response.content.decode()
    assert everything() == before
    assert (
        signed_in(add_only_clerk)
        .post(
            "/contacts/new/",
            form_post(draft, **{"locations": [scene["north"].pk], "notify_from_roles": "on"}),
        )
        .status_code
        == 302
    )


def test_the_staff_form_shows_approval_authority_disabled_to_the_dispatcher(
    dispatcher, accounts_clerk, scene
):
    approver = scene["approver"]
    page = signed_in(dispatcher).get(f"/contacts/{approver.pk}/edit/").content.decode()
    limit_input = page.split('name="approval_limit"')[1].split(">")[0]
    approver_box = page.split('value="approver"')[1].split(">")[0]
    assert "disabled" in limit_input and "disabled" in approver_box
    assert "set approval authority" in page
    site_box = page.split('value="site"')[1].split(">")[0]
    assert "disabled" not in site_box
    clerk_page = signed_in(accounts_clerk).get(f"/contacts/{approver.pk}/edit/").content.decode()
    assert "disabled" not in clerk_page.split('name="approval_limit"')[1].split(">")[0]


def test_what_a_browser_sends_for_the_disabled_fields_keeps_the_authority(dispatcher, scene):
    """A disabled input is not sent: the approver role and the limit stay as stored."""
    approver = scene["approver"]
    data = form_post(approver, roles=["billing"], title="Buyer")
    del data["approval_limit"]
    response = signed_in(dispatcher).post(f"/contacts/{approver.pk}/edit/", data)
    assert response.status_code == 302
    approver.refresh_from_db()
    assert approver.title == "Buyer"
    assert approver.roles == ["billing", "approver"] and approver.approval_limit == Decimal("500")


@pytest.mark.parametrize("who", ["accounts_clerk", "administrator"])
def test_accounts_receivable_and_administrators_give_approval_authority_on_the_form(request, scene, who):
    colleague = scene["colleague"]
    data = form_post(colleague, roles=["site", "approver"], approval_limit="2500.00")
    response = signed_in(request.getfixturevalue(who)).post(f"/contacts/{colleague.pk}/edit/", data)
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role_approver and colleague.approval_limit == Decimal("2500")


# The portal's contact form ----------------------------------------------------------------------


def portal_client(contact) -> Client:
    client = Client()
    client.force_login(contact.user, backend="clientbase.portal.backends.PortalBackend")
    return client


def colleague_post(contact, **extra):
    """What the portal's edit form posts for `contact`."""
    data = {
        "salutation": contact.salutation,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "department": contact.department,
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "locations": [location.pk for location in contact.locations.all()],
        "status": contact.status,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("target", "extra", "field"),
    [
        ("colleague", {"roles": ["site", "approver"]}, "roles"),
        ("editor", {"roles": ["approver"]}, "roles"),
        ("approver", {"approval_limit": "1000000"}, "approval_limit"),
        ("colleague", {"external_id": "ERP-9"}, "external_id"),
        ("colleague", {"portal_enabled": "on", "portal_permissions": ["admin"]}, "portal"),
        ("editor", {"portal_permissions": ["admin"]}, "portal"),
    ],
)
def test_the_portal_form_refuses_fields_it_does_not_offer(scene, target, extra, field):
    contact = scene[target]
    before = everything()
    response = portal_client(scene["editor"]).post(
        f"/portal/contacts/{contact.pk}/edit/", colleague_post(contact, title="Changed", **extra)
    )
    assert response.status_code == 403
    assert f"“{field}”" in response.content.decode()
    assert everything() == before


def test_a_portal_admin_cannot_raise_its_own_portal_permissions_on_the_form(scene, make_admin):
    admin = make_admin()
    before = everything()
    response = portal_client(admin).post(
        f"/portal/contacts/{admin.pk}/edit/",
        colleague_post(admin, portal_enabled="on", portal_permissions=["admin", "billing"]),
    )
    assert response.status_code == 403 and "own portal access" in response.content.decode()
    assert everything() == before


def test_the_portal_form_refuses_a_new_approver(scene):
    before = everything()
    response = portal_client(scene["editor"]).post(
        "/portal/contacts/new/", {"last_name": "Newcomer", "status": "active", "roles": ["approver"]}
    )
    assert response.status_code == 403 and "“roles”" in response.content.decode()
    assert everything() == before


def test_the_portal_form_accepts_the_stored_values_sent_back(scene):
    approver = scene["approver"]
    data = colleague_post(
        approver, title="Buyer", roles=["approver"], approval_limit="500.00", external_id="E-1"
    )
    response = portal_client(scene["editor"]).post(f"/portal/contacts/{approver.pk}/edit/", data)
    assert response.status_code == 302
    approver.refresh_from_db()
    assert (approver.title, approver.approval_limit, approver.external_id) == ("Buyer", Decimal("500"), "E-1")


@pytest.fixture
def make_admin(scene):
    def make():
        login = UserFactory(username="admin@northwind.example", is_staff=False)
        return ContactFactory(
            customer=scene["customer"],
            user=login,
            email="admin@northwind.example",
            portal_enabled=True,
            portal_permissions=["admin"],
        )

    return make


# Import -----------------------------------------------------------------------------------------


def run_import(user, text, blank="keep"):
    return import_file(
        acting_user=user, kind="contacts", file=io.BytesIO(text.encode()), dry_run=False, blank=blank
    ).as_dict()


@pytest.mark.parametrize(
    ("row", "field", "blank"),
    [
        ("email,roles\nann@northwind.example,\n", "roles", "clear"),
        ("email,roles\nann@northwind.example,site\n", "roles", "keep"),
        ("email,roles\nbob@northwind.example,approver\n", "roles", "keep"),
        ("email,approval_limit\nann@northwind.example,1000000\n", "approval_limit", "keep"),
    ],
)
def test_the_dispatcher_imports_no_approval_authority(dispatcher, scene, row, field, blank):
    number = scene["customer"].number
    header, cells = row.split("\n")[:2]
    before = everything()
    report = run_import(dispatcher, f"customer,{header}\n{number},{cells}\n", blank=blank)
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(2, field)], report
    assert "“" + field + "”" in report["errors"][0]["message"]
    assert report["updated"] == 0
    assert everything()[:3] == before[:3]


def test_a_new_approver_is_not_imported_by_the_dispatcher(dispatcher, scene):
    number = scene["customer"].number
    report = run_import(
        dispatcher, f"customer,last_name,roles,approval_limit\n{number},Newcomer,approver,50\n"
    )
    assert report["created"] == 0 and report["errors"][0]["field"] == "roles"
    assert not Contact.objects.filter(last_name="Newcomer").exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("email,roles\nbob@northwind.example,approver\n", "roles"),
        ("email,external_id\nbob@northwind.example,ERP-9\n", "external_id"),
        ("email,portal_enabled,portal_permissions\nbob@northwind.example,true,admin\n", "portal"),
    ],
)
def test_a_portal_user_imports_no_protected_field(scene, row, field):
    number = scene["customer"].number
    header, cells = row.split("\n")[:2]
    before = everything()
    report = run_import(scene["editor"].user, f"customer,{header}\n{number},{cells}\n")
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(2, field)], report
    assert everything()[:3] == before[:3]


def test_accounts_receivable_imports_approval_authority_and_the_stored_values_are_no_change(
    accounts_clerk, dispatcher, scene
):
    number = scene["customer"].number
    unchanged = run_import(
        dispatcher,
        f"customer,email,roles,approval_limit,external_id\n{number},ann@northwind.example,approver,500.00,E-1\n",
    )
    assert (unchanged["unchanged"], unchanged["errors"]) == (1, [])
    report = run_import(
        accounts_clerk, f"customer,email,roles,approval_limit\n{number},bob@northwind.example,approver,750\n"
    )
    assert (report["updated"], report["errors"]) == (1, [])
    colleague = scene["colleague"]
    colleague.refresh_from_db()
    assert colleague.role_approver and colleague.approval_limit == Decimal("750")


# The groups -------------------------------------------------------------------------------------


def test_approval_authority_is_the_administrators_and_accounts_receivables_only():
    from tests.factories import restore_staff_groups

    def holders():
        permission = Permission.objects.get(codename="set_approval_authority")
        return set(permission.group_set.values_list("name", flat=True))

    assert holders() == {groups.ADMINISTRATOR, groups.ACCOUNTS_RECEIVABLE}
    from django.contrib.auth.models import Group

    Group.objects.all().delete()  # as the flush after a transactional test leaves them
    restore_staff_groups()
    assert holders() == {groups.ADMINISTRATOR, groups.ACCOUNTS_RECEIVABLE}


# An approver's e-mail and portal login ------------------------------------------------------------
# Whoever controls them approves quotes in the approver's name: redirecting the address and opening
# a portal login on it is a change of approval authority.

APPROVER_LOGIN_CHANGES = [
    ("redirect the e-mail", {"email": "attacker@evil.example"}, "email"),
    ("open a portal login", {"portal": {"enabled": True, "permissions": []}}, "portal"),
]


@pytest.mark.parametrize("who", ["editor", "dispatcher", "make_admin"])
@pytest.mark.parametrize(("name", "change", "field"), APPROVER_LOGIN_CHANGES, ids=["email", "portal"])
def test_only_approval_authority_redirects_an_approvers_e_mail_or_login(
    request, api, scene, who, name, change, field
):
    user = scene["editor"].user if who == "editor" else request.getfixturevalue(who)
    if who == "make_admin":
        user = user().user
    before = everything()
    response = api(user).patch(f"{URL}{scene['approver'].pk}/", change, format="json")
    assert_refused(response, field, before, leaked=["attacker@evil.example"])


@pytest.mark.parametrize(("name", "change", "field"), APPROVER_LOGIN_CHANGES, ids=["email", "portal"])
def test_accounts_receivable_changes_an_approvers_e_mail_and_login(
    api, accounts_clerk, scene, name, change, field
):
    response = api(accounts_clerk).patch(f"{URL}{scene['approver'].pk}/", change, format="json")
    assert response.status_code == 200, response.json()
    assert_stored(scene["approver"], change)


def test_the_e_mail_of_a_contact_without_approval_authority_stays_free(api, dispatcher, scene):
    response = api(dispatcher).patch(
        f"{URL}{scene['colleague'].pk}/", {"email": "bob2@northwind.example"}, format="json"
    )
    assert response.status_code == 200
    scene["colleague"].refresh_from_db()
    assert scene["colleague"].email == "bob2@northwind.example"


def test_a_portal_approver_changes_its_own_sign_in_e_mail(scene, make_admin):
    from clientbase.portal.services.colleagues import change_login_email

    admin = make_admin()
    Contact.objects.filter(pk=admin.pk).update(role_approver=True, approval_limit=Decimal("100.00"))
    admin.refresh_from_db()
    change_login_email(acting_user=admin.user, email="new-admin@northwind.example")
    admin.refresh_from_db()
    assert admin.email == "new-admin@northwind.example"
