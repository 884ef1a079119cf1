"""Data quality: each rule fires on a minimal example and stays quiet on a clean customer; the
findings are scoped by the one authorization layer, read with a fixed number of queries, paged by
cursor both ways; the API, the command line and the staff pages show them; fixing one makes it go."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.customers.models import Asset, Customer
from clientbase.quality import selectors
from clientbase.quality.rules import RULE_NAMES, RULES
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def clean_customer(name: str = "Clean Facilities"):
    """A customer that passes every rule: named, with a billing address, one site with a complete
    asset, and one contact who is primary, billing, site and approver (with a limit), with a
    mobile number and a verified address, details confirmed a month ago, linked to the site."""
    customer = CustomerFactory(name=name, billing_address={"street": "1 Main St", "city": "Springfield"})
    site = LocationFactory(customer=customer)
    asset = AssetFactory(location=site)
    contact = ContactFactory(
        customer=customer,
        is_primary=True,
        role_billing=True,
        role_site=True,
        role_approver=True,
        approval_limit=Decimal("5000"),
        mobile="+13125550142",
        email_status=Contact.EmailStatus.VERIFIED,
        details_confirmed_at=timezone.now() - datetime.timedelta(days=30),
        locations=[site],
    )
    return customer, site, asset, contact


def rule_names(user, **filters) -> list[str]:
    page = selectors.findings_page(user, selectors.visible_rules(user), size=200, **filters)
    return sorted(finding.rule.name for finding in page.findings)


def contact_update(contact, **values):
    Contact.objects.filter(pk=contact.pk).update(**values)


BREAKS = {
    "customer_without_primary_contact": lambda c, s, a, p: contact_update(p, is_primary=False),
    "customer_without_billing_contact": lambda c, s, a, p: contact_update(p, role_billing=False),
    "customer_without_site_contact": lambda c, s, a, p: contact_update(p, role_site=False),
    "customer_without_billing_address": lambda c, s, a, p: Customer.objects.filter(pk=c.pk).update(
        billing_address={"street": "", "city": "Springfield"}
    ),
    "location_without_contact": lambda c, s, a, p: LocationFactory(customer=c, name="Empty site"),
    "key_contact_without_mobile": lambda c, s, a, p: contact_update(p, mobile=""),
    "contact_without_email": lambda c, s, a, p: contact_update(p, email=""),
    "email_bounced": lambda c, s, a, p: contact_update(p, email_status=Contact.EmailStatus.BOUNCED),
    "email_never_verified": lambda c, s, a, p: contact_update(p, email_status=Contact.EmailStatus.UNVERIFIED),
    "details_not_confirmed": lambda c, s, a, p: contact_update(
        p, details_confirmed_at=timezone.now() - datetime.timedelta(days=400)
    ),
    "approver_without_limit": lambda c, s, a, p: contact_update(p, approval_limit=None),
    "asset_without_serial_number": lambda c, s, a, p: Asset.objects.filter(pk=a.pk).update(serial_number=""),
    "asset_without_model": lambda c, s, a, p: Asset.objects.filter(pk=a.pk).update(model=""),
    "asset_without_installation_date": lambda c, s, a, p: Asset.objects.filter(pk=a.pk).update(
        installed_on=None
    ),
}


def test_every_rule_has_a_minimal_example():
    assert set(BREAKS) == set(RULE_NAMES)


def test_a_clean_customer_has_no_findings(admin_user):
    clean_customer()
    assert rule_names(admin_user) == []
    assert set(selectors.counts(admin_user, RULES).values()) == {0}


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_each_rule_fires_on_its_minimal_example_alone(admin_user, rule):
    customer, site, asset, contact = clean_customer()
    clean_customer("Other Clean Facilities")  # stays quiet
    BREAKS[rule](customer, site, asset, contact)
    assert rule_names(admin_user) == [rule]
    assert selectors.counts(admin_user, RULES)[rule] == 1
    assert rule_names(admin_user, customer=customer.pk) == [rule]


def test_inactive_objects_are_not_checked(admin_user):
    _customer, _site, asset, contact = clean_customer()
    contact_update(contact, mobile="", is_primary=False, status=Contact.Status.INACTIVE)
    Asset.objects.filter(pk=asset.pk).update(serial_number="", status=Asset.Status.RETIRED)
    # The inactive contact no longer counts as the customer's primary, billing or site contact.
    assert rule_names(admin_user) == [
        "customer_without_billing_contact",
        "customer_without_primary_contact",
        "customer_without_site_contact",
        "location_without_contact",
    ]


def test_a_finding_says_what_where_and_how_to_fix(admin_user):
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="")
    [finding] = selectors.findings_page(admin_user, selectors.visible_rules(admin_user)).findings
    assert finding.as_dict() == {
        "rule": "key_contact_without_mobile",
        "severity": "warning",
        "object": {"type": "contact", "id": contact.pk, "name": contact.full_name},
        "customer": customer.pk,
        "message": finding.rule.message,
        "fix_url": f"/contacts/{contact.pk}/edit/",
    }
    assert "mobile" in finding.rule.message


def test_fixing_a_finding_makes_it_disappear(admin_user, api, dispatcher):
    _customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="")
    assert rule_names(admin_user) == ["key_contact_without_mobile"]
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{contact.pk}/", {"mobile": "(312) 555-0199"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert rule_names(admin_user) == []


# Queries and pages ------------------------------------------------------------------------------


def broken_customers(count: int) -> None:
    for index in range(count):
        customer = CustomerFactory(name=f"Broken {index}")  # no address, no contacts
        site = LocationFactory(customer=customer)
        AssetFactory(location=site, serial_number="", model="")
        ContactFactory(customer=customer, role_approver=True, locations=[site])


def test_the_queries_do_not_grow_with_the_customers(admin_user):
    def queries(count: int) -> tuple[int, int]:
        broken_customers(count)
        rules = selectors.visible_rules(admin_user)
        with CaptureQueriesContext(connection) as reading:
            selectors.findings_page(admin_user, rules, size=1000)
        with CaptureQueriesContext(connection) as counting:
            selectors.counts(admin_user, rules)
        return len(reading), len(counting)

    few = queries(2)
    many = queries(20)
    assert few == many
    assert many[0] <= len(RULES) and many[1] == 4  # one query per rule at most; one per model


def test_pages_follow_each_other_both_ways_across_rules(admin_user):
    broken_customers(3)
    rules = selectors.visible_rules(admin_user)
    every = [
        (f.rule.name, f.object_id) for f in selectors.findings_page(admin_user, rules, size=200).findings
    ]
    assert len(every) > 10
    seen, cursor, pages = [], "", []
    while True:
        page = selectors.findings_page(admin_user, rules, cursor=cursor, size=4)
        pages.append(page)
        seen += [(f.rule.name, f.object_id) for f in page.findings]
        if page.next is None:
            break
        cursor = page.next
    assert seen == every
    back = selectors.findings_page(admin_user, rules, cursor=pages[-1].previous, size=4)
    assert [(f.rule.name, f.object_id) for f in back.findings] == [
        (f.rule.name, f.object_id) for f in pages[-2].findings
    ]


# Scope and the API ------------------------------------------------------------------------------


def test_api_lists_findings_and_counts(api, dispatcher):
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="")
    response = api(dispatcher).get("/api/v1/quality/", {"customer": customer.pk})
    assert response.status_code == 200
    body = response.json()
    assert [item["rule"] for item in body["results"]] == ["key_contact_without_mobile"]
    assert body["next"] is None and body["previous"] is None
    summary = api(dispatcher).get("/api/v1/quality/summary/", {"customer": customer.pk}).json()
    counted = {item["rule"]: item["count"] for item in summary["rules"]}
    assert counted["key_contact_without_mobile"] == 1 and sum(counted.values()) == 1


def test_api_filters_by_rule_and_severity_and_pages(api, dispatcher):
    broken_customers(3)
    client = api(dispatcher)
    only = client.get("/api/v1/quality/", {"rule": "asset_without_model"}).json()["results"]
    assert len(only) == 3 and {item["rule"] for item in only} == {"asset_without_model"}
    errors = client.get("/api/v1/quality/", {"severity": "error"}).json()["results"]
    assert errors and {item["severity"] for item in errors} == {"error"}
    first = client.get("/api/v1/quality/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert second["previous"] and second["results"] != first["results"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rule": "no_such_rule"}, "rule"),
        ({"severity": "fatal"}, "severity"),
        ({"customer": "abc"}, "customer"),
        ({"page_size": "500"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_refuses_bad_parameters(api, dispatcher, params, field):
    response = api(dispatcher).get("/api/v1/quality/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_api_scope(api, dispatcher, nobody, portal_user_factory):
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="")
    other, *_ = clean_customer("Other Facilities")
    portal = portal_user_factory(other, ("admin",))
    assert api(None).get("/api/v1/quality/").status_code == 401
    # A portal user sees its own customer's findings only; another customer is a 404.
    own = api(portal).get("/api/v1/quality/").json()["results"]
    assert own and {item["customer"] for item in own} == {other.pk}
    assert api(portal).get("/api/v1/quality/", {"customer": customer.pk}).status_code == 404
    assert api(portal).get("/api/v1/quality/summary/", {"customer": customer.pk}).status_code == 404
    assert api(dispatcher).get("/api/v1/quality/", {"customer": 999999}).status_code == 404
    # A staff user who may not view customers is refused.
    assert api(nobody).get("/api/v1/quality/").status_code == 403
    assert api(nobody).get("/api/v1/quality/summary/").status_code == 403


def test_findings_of_customers_out_of_a_users_scope_are_not_shown(location_contact_clerk, admin_user):
    """Location-level staff see contacts linked to locations only; the findings follow the same
    rows the contact list shows them."""
    customer, _site, _asset, _contact = clean_customer()
    loose = ContactFactory(customer=customer, mobile="", is_primary=False, role_emergency=True)
    assert "key_contact_without_mobile" in rule_names(admin_user)
    visible = Contact.objects.filter(pk=loose.pk)
    from clientbase import access

    shown = access.restrict(location_contact_clerk, visible, access.VIEW).exists()
    names = [
        f.object_id
        for f in selectors.findings_page(
            location_contact_clerk,
            selectors.visible_rules(location_contact_clerk, rule="key_contact_without_mobile"),
        ).findings
    ]
    assert (loose.pk in names) == shown


# Command line and pages -------------------------------------------------------------------------


def test_command_prints_the_report(admin_user):
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="")
    out = StringIO()
    call_command("quality", "--format", "json", "--customer", customer.number, stdout=out)
    report = json.loads(out.getvalue())
    assert [item["rule"] for item in report["findings"]] == ["key_contact_without_mobile"]
    assert {item["rule"]: item["count"] for item in report["rules"]}["key_contact_without_mobile"] == 1
    out = StringIO()
    call_command("quality", stdout=out)
    assert "Primary, approver or emergency contact without a mobile number" in out.getvalue()
    assert f"contact {contact.pk}" in out.getvalue()


def test_command_refuses_an_unknown_customer(admin_user):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No customer C-999999"):
        call_command("quality", "--customer", "C-999999", stdout=StringIO())


def test_dashboard_and_sections(client, dispatcher):
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="")
    client.force_login(dispatcher)
    page = client.get("/quality/").content.decode()
    assert "Primary, approver or emergency contact without a mobile number" in page
    assert f"/contacts/{contact.pk}/edit/" in page
    assert "1 finding in all" in page
    assert "mobile number" in client.get(f"/customers/{customer.pk}/").content.decode()
    assert "mobile number" in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get("/quality/", {"customer": 999999}).status_code == 404
    filtered = client.get("/quality/", {"rule": "asset_without_model"}).content.decode()
    assert "None of this kind" in filtered


def test_the_customer_page_shows_likely_duplicate_contacts(client, dispatcher):
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, first_name="Robert", last_name="Smith")
    bob = ContactFactory(customer=customer, first_name="Bob", last_name="Smith")
    client.force_login(dispatcher)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Likely duplicate contacts" in page
    assert f"/contacts/{bob.pk}/" in page and "are forms of one first name." in page


def test_a_pages_findings_agree_with_the_findings_list_in_one_query_per_model(admin_user):
    """The sections of the customer and contact pages read one query per model and list what the
    findings list lists, in its order."""
    customer, _site, _asset, contact = clean_customer()
    contact_update(contact, mobile="", email_status=Contact.EmailStatus.UNVERIFIED, approval_limit=None)
    LocationFactory(customer=customer, name="Empty site")
    rules = selectors.visible_rules(admin_user)
    listed = selectors.findings_page(admin_user, rules, customer=customer.pk).findings
    with CaptureQueriesContext(connection) as queries:
        shown, more = selectors.findings_of(admin_user, rules, customer=customer.pk, limit=10)
    assert [(f.rule.name, f.object_id) for f in shown] == [(f.rule.name, f.object_id) for f in listed]
    assert not more and len(queries) == 4
    only, _ = selectors.findings_of(admin_user, rules, contact=contact.pk)
    assert [f.rule.name for f in only] == [
        "key_contact_without_mobile",
        "email_never_verified",
        "approver_without_limit",
    ]
    few, more = selectors.findings_of(admin_user, rules, customer=customer.pk, limit=2)
    assert len(few) == 2 and more


def test_details_of_a_contact_entered_this_year_are_current(admin_user):
    _customer, _site, _asset, contact = clean_customer()
    contact_update(contact, details_confirmed_at=None)
    assert rule_names(admin_user) == []
    contact_update(contact, created_at=timezone.now() - datetime.timedelta(days=400))
    assert rule_names(admin_user) == ["details_not_confirmed"]


def test_rules_that_read_contacts_are_not_told_to_those_who_may_not_view_contacts(portal_user_factory):
    customer, *_ = clean_customer()
    Contact.objects.filter(customer=customer).update(role_billing=False)
    nobody_in_portal = portal_user_factory(customer, ())
    names = [rule.name for rule in selectors.visible_rules(nobody_in_portal)]
    assert "customer_without_billing_contact" not in names and "location_without_contact" not in names
    assert "customer_without_billing_address" in names


def test_a_filter_naming_nothing_lists_nothing(client, dispatcher):
    customer, *_ = clean_customer()
    Customer.objects.filter(pk=customer.pk).update(billing_address={})
    client.force_login(dispatcher)
    assert "Customer without a billing address" in client.get("/quality/").content.decode()
    for params in ({"rule": "nope"}, {"severity": "bad"}, {"customer": "abc"}):
        page = client.get("/quality/", params)
        assert page.status_code == 200
        assert "No rule, severity or customer is named so" in page.content.decode()
