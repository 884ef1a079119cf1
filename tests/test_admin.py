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


def test_staff_without_permissions_is_refused(nobody):
    client = Client()
    client.force_login(nobody)
    assert client.get("/admin/contacts/contact/").status_code == 403
