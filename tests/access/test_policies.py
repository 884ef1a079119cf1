"""The per-model policies the apps register with `access`: declared so that they can be enumerated
(a permission matrix is generated from them), asked without extra queries, and `access` itself
imports no app."""

from __future__ import annotations

import ast
import inspect
from decimal import Decimal

import pytest
from django.apps import apps

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.contacts.policies import CHANGE_APPROVER_LOGIN
from clientbase.errors import FieldForbidden, ValidationFailed
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_access_imports_no_app():
    """At run time (type hints aside), `access` imports Django and the errors, never an app."""
    tree = ast.parse(inspect.getsource(access))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    project_apps = {config.name for config in apps.get_app_configs() if config.name.startswith("clientbase.")}
    assert imported & {"clientbase.errors"}
    assert not {name for name in imported if name.startswith(tuple(project_apps))}


def test_every_scoped_model_has_a_registered_policy():
    labels = {policy.model for policy in access.policies()}
    assert labels >= {
        "customers.customer",
        "customers.location",
        "customers.asset",
        "customers.assetpart",
        "contacts.contact",
        "contacts.contactlocation",
        "workorders.workorder",
        "workorders.quote",
        "workorders.invoice",
        "notifications.message",
        "notifications.activity",
    }
    for policy in access.policies():
        assert apps.get_model(policy.model) is not None
        for action in policy.actions:
            assert policy.staff_permissions(action), (policy.model, action)
        granted = {action for actions in policy.portal_grants().values() for action in actions}
        assert granted <= set(policy.actions), policy.model
        assert {rule.action for rule in policy.fields if not rule.on} <= set(policy.actions)
        for rule in policy.fields:
            if rule.on:  # the action is the other model's
                assert rule.action in access.policy_for(rule.on).actions, (policy.model, rule)
        assert policy.anonymous == frozenset()


def test_the_contact_policy_names_its_field_rules_and_their_actions():
    policy = access.policy_for(Contact)
    assert policy is not None
    rules = {
        rule.field: rule for rule in policy.fields if rule.action != CHANGE_APPROVER_LOGIN and not rule.on
    }
    assert {name: rule.action for name, rule in rules.items()} == {
        "customer": access.MOVE,
        "roles": access.SET_APPROVAL_AUTHORITY,
        "approval_limit": access.SET_APPROVAL_AUTHORITY,
        "portal": access.MANAGE_PORTAL,
        "external_id": access.SET_EXTERNAL_ID,
    }
    # An approver's e-mail and portal login decide who approves in its name.
    assert {rule.field for rule in policy.fields if rule.action == CHANGE_APPROVER_LOGIN} == {
        "email",
        "portal",
    }
    assert policy.staff_permissions(CHANGE_APPROVER_LOGIN) == (("contacts.set_approval_authority",),)
    assert rules["customer"].only_through == access.MOVE
    assert policy.staff_permissions(access.SET_APPROVAL_AUTHORITY) == (("contacts.set_approval_authority",),)
    assert policy.portal_grants()["capability:admin"] == {access.MANAGE_PORTAL}
    assert access.portal_capability_names() == {"billing", "reports", "create_work_order", "edit_contacts"}


def test_locked_fields_follow_the_actor(dispatcher, accounts_clerk, portal_user_factory):
    customer = CustomerFactory()
    colleague = ContactFactory(customer=customer)
    editor = portal_user_factory(customer, permissions=["edit_contacts"], email="ed@example.com")
    admin = portal_user_factory(customer, permissions=["admin", "billing"], email="ad@example.com")
    assert set(access.locked_fields(dispatcher, Contact)) == {"roles", "approval_limit"}
    assert set(access.locked_fields(accounts_clerk, Contact)) == set()
    assert set(access.locked_fields(accounts_clerk, colleague)) == {"customer"}
    assert set(access.locked_fields(editor, colleague)) == {
        "customer",
        "roles",
        "approval_limit",
        "portal",
        "external_id",
        "notify",  # it may see no work orders, quotes or invoices
        "is_primary",  # the primary gets the mail nobody opted into
    }
    assert "portal" not in access.locked_fields(admin, colleague)
    assert "own portal access" in access.locked_fields(admin, admin.contact)["portal"]


def test_require_fields_names_the_field_and_accepts_the_stored_value(dispatcher):
    approver = ContactFactory(role_approver=True, approval_limit=Decimal("500.00"), external_id="E-1")
    with pytest.raises(FieldForbidden) as refused:
        access.require_fields(dispatcher, approver, {"approval_limit": Decimal("501")})
    assert refused.value.field == "approval_limit" and "“approval_limit”" in refused.value.message
    access.require_fields(
        dispatcher, approver, {"approval_limit": "500", "roles": ["approver", "site"], "external_id": "E-1"}
    )
    with pytest.raises(ValidationFailed) as moved:
        access.require_fields(dispatcher, approver, {"customer": CustomerFactory()})
    assert "customer" in moved.value.errors


def test_field_checks_cost_no_query_for_staff(dispatcher, accounts_clerk, django_assert_num_queries):
    approver = ContactFactory(role_approver=True, approval_limit=Decimal("500.00"))
    for user in (dispatcher, accounts_clerk):
        access.can(user, access.VIEW, Contact)  # the permissions, read once per request
    with django_assert_num_queries(0):
        access.require_fields(dispatcher, approver, {"title": "x", "notes": "y", "roles": ["approver"]})
        access.require_fields(accounts_clerk, approver, {"roles": [], "approval_limit": None})
        access.locked_fields(dispatcher, approver)


def test_field_checks_of_a_portal_user_cost_one_query_per_action(
    portal_user_factory, django_assert_max_num_queries
):
    customer = CustomerFactory()
    colleague = ContactFactory(customer=customer)
    admin = portal_user_factory(customer, permissions=["admin"], email="ad@example.com")
    changes = {"portal": {"enabled": True, "permissions": ["billing"], "support_end": None}}
    with django_assert_max_num_queries(1):
        access.require_fields(admin, colleague, changes)


def test_anonymous_and_staff_without_policy_fall_back_to_django_permissions():
    from django.contrib.auth.models import AnonymousUser

    from clientbase.transfer.models import ImportRun

    assert access.policy_for(ImportRun) is None
    assert not access.can(AnonymousUser(), access.VIEW, Contact)
    superuser = UserFactory(is_superuser=True)
    assert access.can(superuser, access.VIEW, ImportRun)
