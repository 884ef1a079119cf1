"""A staff user's permissions, its own and its groups', are read in one query, and are the ones
Django's model backend reads in two."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from clientbase.backends import StaffBackend

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def staff():
    user = get_user_model().objects.create_user("perms", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    group = Group.objects.create(name="Mixed")
    group.permissions.add(*Permission.objects.filter(codename__in=["change_contact", "view_customer"]))
    user.groups.add(group)
    return user


def test_own_and_group_permissions_in_one_query(staff, django_assert_num_queries):
    user = fresh(staff)
    with django_assert_num_queries(1):
        assert user.has_perm("customers.view_customer")
        assert user.has_perm("contacts.change_contact")
        assert not user.has_perm("contacts.delete_contact")


def test_the_same_permissions_as_djangos_model_backend(staff):
    for user in (staff, get_user_model().objects.create_superuser("root", "r@example.com", "x")):
        assert StaffBackend().get_all_permissions(fresh(user)) == ModelBackend().get_all_permissions(
            fresh(user)
        )


def test_an_inactive_user_and_an_object_hold_none(staff):
    assert StaffBackend().get_all_permissions(fresh(staff), obj=object()) == set()
    staff.is_active = False
    staff.save()
    assert StaffBackend().get_all_permissions(fresh(staff)) == set()
    assert not fresh(staff).has_perm("customers.view_customer")
