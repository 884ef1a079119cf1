"""The Django admin serves every model to superusers, and nobody else."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from tests.factories import AssetPartFactory, ContactFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"customers", "contacts"}


@pytest.fixture
def superuser_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def our_models():
    return [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


def test_every_model_of_ours_is_in_the_admin():
    names = {model._meta.model_name for model in our_models()}
    assert {"customer", "location", "asset", "assetpart", "contact"} <= names


def test_superuser_opens_every_changelist_and_change_form(superuser_client):
    part = AssetPartFactory()
    ContactFactory(customer=part.asset.location.customer, locations=[part.asset.location])
    for model in our_models():
        opts = model._meta
        changelist = superuser_client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert changelist.status_code == 200, opts.label
        obj = model._default_manager.first()
        if obj is not None:
            change = superuser_client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
            assert change.status_code == 200, opts.label


@pytest.mark.parametrize("who", ["nobody", "dispatcher", "accounts_clerk", "technician"])
def test_staff_other_than_superusers_never_enter_the_admin(who, request):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    contact = ContactFactory(approval_limit=None)
    for url in ("/admin/", "/admin/contacts/contact/", f"/admin/contacts/contact/{contact.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    response = client.post(
        f"/admin/contacts/contact/{contact.pk}/change/", {"role_approver": "on", "approval_limit": "99999"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.role_approver, contact.approval_limit) == (False, None)


def test_the_admin_only_shows_the_records_services_change(superuser_client, other_customer):
    """A change in the admin would pass the services' rules (approval authority, the move between
    customers, the triggers' refusals): superusers see these records but change them in the pages."""
    contact = ContactFactory(first_name="Susan")
    page = superuser_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert page.status_code == 200 and b"Susan" in page.content
    assert b'name="_save"' not in page.content
    response = superuser_client.post(
        f"/admin/contacts/contact/{contact.pk}/change/",
        {"customer": other_customer.pk, "last_name": contact.last_name, "status": "active"},
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.customer_id != other_customer.pk
    for model in our_models():
        opts = model._meta
        assert superuser_client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 403
    # Users and groups, which no service changes, stay editable.
    assert superuser_client.get("/admin/auth/group/add/").status_code == 200
