"""The hooks of the contacts services (`clientbase.contacts.hooks`): run in order, inside the
service's transaction, with the arguments their docstring names; one that raises refuses the
change and nothing of it stays. And the API's actions that other apps add on a contact answer
at the contact's URLs, with the contact viewset's scope."""

from __future__ import annotations

import pytest
from django.urls import resolve

from clientbase.contacts import hooks, services
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict
from clientbase.notifications.models import Message
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Records every hook call as (hook list, arguments); the portal's own hooks stay first."""
    seen: list[tuple[str, dict]] = []
    for name in ("after_contact_saved", "before_contact_deleted", "after_contact_deleted"):
        recorder = lambda name=name, **kwargs: seen.append((name, kwargs))  # noqa: E731
        monkeypatch.setattr(hooks, name, [*getattr(hooks, name), recorder])
    return seen


def refuse(**kwargs):
    raise Conflict("Refused by a hook.")


def test_the_portal_hooks_are_registered_once():
    from clientbase.portal.services import accounts

    assert hooks.after_contact_saved.count(accounts.contact_saved) == 1
    assert hooks.before_contact_deleted.count(accounts.close_login_of_deleted_contact) == 1
    assert hooks.after_contact_deleted.count(accounts.keep_an_admin_after_delete) == 1


def test_saved_hooks_receive_the_change(calls, admin_user, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = services.create_contact(acting_user=admin_user, data={"customer": customer, "last_name": "Lee"})
    services.update_contact(contact=contact, acting_user=admin_user, data={"title": "CFO"})
    services.update_contact(contact=contact, acting_user=admin_user, data={"title": "CFO"})  # no change

    assert [name for name, _ in calls] == ["after_contact_saved", "after_contact_saved"]
    created, updated = (kwargs for _, kwargs in calls)
    assert created == {"contact": contact, "acting_user": admin_user, "changed": None, "before": None}
    assert updated["changed"] == {"title"}
    assert updated["before"].title == "" and updated["contact"].title == "CFO"


def test_a_refusing_saved_hook_rolls_the_update_back(monkeypatch, admin_user):
    contact = ContactFactory(title="Buyer")
    later: list[dict] = []
    monkeypatch.setattr(hooks, "after_contact_saved", [refuse, lambda **kwargs: later.append(kwargs)])

    with pytest.raises(Conflict, match="Refused by a hook"):
        services.update_contact(contact=contact, acting_user=admin_user, data={"title": "CFO"})

    assert Contact.objects.get(pk=contact.pk).title == "Buyer"
    assert contact.history.count() == 1  # the creation only
    assert later == []


def test_delete_hooks_run_around_the_delete(calls, admin_user):
    contact = ContactFactory()
    pk = contact.pk
    seen_stored: list[bool] = []
    hooks.before_contact_deleted.append(lambda contact, **kwargs: seen_stored.append(contact.pk is not None))

    services.delete_contact(contact=contact, acting_user=admin_user)

    assert [name for name, _ in calls] == ["before_contact_deleted", "after_contact_deleted"]
    assert seen_stored == [True]
    assert calls[1][1]["acting_user"] == admin_user
    assert not Contact.objects.filter(pk=pk).exists()


def test_a_refusing_delete_hook_keeps_the_contact(monkeypatch, admin_user):
    contact = ContactFactory()
    monkeypatch.setattr(hooks, "after_contact_deleted", [refuse])

    with pytest.raises(Conflict):
        services.delete_contact(contact=contact, acting_user=admin_user)

    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize(
    ("action", "viewset"),
    [
        ("send-test-email", "ContactTestEmailViewSet"),
        ("portal-invitation", "ContactPortalViewSet"),
        ("revoke-portal", "ContactPortalViewSet"),
        ("vcard", "ContactCardViewSet"),
    ],
)
def test_other_apps_actions_answer_at_the_contacts_urls(action, viewset):
    assert resolve(f"/api/v1/contacts/7/{action}/").func.cls.__name__ == viewset
    assert resolve("/api/v1/contacts/7/").func.cls.__name__ == "ContactViewSet"


def test_the_api_root_names_contacts_by_their_list(api, dispatcher):
    root = api(dispatcher).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert root["contacts"] == "http://testserver/api/v1/contacts/"


def test_an_action_of_another_app_keeps_the_contacts_scope(api, dispatcher, nobody, other_customer):
    theirs = ContactFactory(customer=other_customer)
    url = f"/api/v1/contacts/{theirs.pk}/send-test-email/"

    assert api(nobody).post(url).json() == {"detail": "You may not view contacts."}
    assert api(None).post(url).status_code == 401
    assert Message.objects.count() == 0


def test_an_action_of_another_app_answers_the_contact_as_the_contacts_viewset(api, dispatcher):
    contact = ContactFactory()
    response = api(dispatcher).post(f"/api/v1/contacts/{contact.pk}/revoke-portal/")
    detail = api(dispatcher).get(f"/api/v1/contacts/{contact.pk}/")

    assert response.status_code == 200
    assert response.json() == detail.json()
    assert response["ETag"] == detail["ETag"] == f'"{Contact.objects.get(pk=contact.pk).version}"'
