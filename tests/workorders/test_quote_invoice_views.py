"""The staff pages of quotes and invoices: lists, the create form, the detail pages with their
actions (send and record an approval; issue) and every refusal, the quotes and invoices sections of
the customer page, the links of the work-order page, and the contact page's work and quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.models import Contact
from clientbase.notifications.models import Message
from clientbase.workorders.models import Invoice, Quote
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.helpers import assert_unchanged
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
QUOTES, INVOICES = "/quotes/", "/invoices/"
# What the two kinds of document have in common, for the tests that hold for both.
KINDS = {
    "quote": {"base": QUOTES, "factory": QuoteFactory, "model": Quote, "prefix": "Q"},
    "invoice": {"base": INVOICES, "factory": InvoiceFactory, "model": Invoice, "prefix": "I"},
}


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client signed in as `user`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def clerk(as_user, accounts_clerk):
    """Accounts receivable: maintains quotes and invoices."""
    return as_user(accounts_clerk)


@pytest.fixture
def scene(customer_with_two_sites, other_customer):
    customer, north, _ = customer_with_two_sites
    return {
        "customer": customer,
        "north": north,
        "other": other_customer,
        "david": ContactFactory(
            customer=customer,
            first_name="David",
            last_name="Chen",
            title="Facilities Manager",
            role_approver=True,
            notify_quotes=True,
            approval_limit=Decimal("10000.00"),
        ),
        "susan": ContactFactory(
            customer=customer,
            first_name="Susan",
            last_name="Williams",
            role_billing=True,
            notify_invoices=True,
        ),
        "work_order": WorkOrderFactory(customer=customer, location=north, summary="Chiller alarm"),
    }


def url(kind: str, obj=None, action: str = "") -> str:
    base = KINDS[kind]["base"]
    if obj is None:
        return base
    return f"{base}{getattr(obj, 'pk', obj)}/{action + '/' if action else ''}"


def snapshot(obj) -> dict:
    return type(obj).objects.values().get(pk=obj.pk)


# Who may use the pages -----------------------------------------------------------------------------------


def every_url(quote: Quote, invoice: Invoice) -> list[tuple[str, str]]:
    return [
        ("get", QUOTES),
        ("get", f"{QUOTES}new/"),
        ("get", url("quote", quote)),
        ("post", url("quote", quote, "send")),
        ("post", url("quote", quote, "approve")),
        ("get", INVOICES),
        ("get", f"{INVOICES}new/"),
        ("get", url("invoice", invoice)),
        ("post", url("invoice", invoice, "issue")),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, scene):
    quote, invoice = QuoteFactory(customer=scene["customer"]), InvoiceFactory(customer=scene["customer"])
    for method, path in every_url(quote, invoice):
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


@pytest.mark.parametrize("who", ["nobody", "dispatcher"])
def test_staff_without_the_permissions_get_403_and_nothing_changes(as_user, request, who, scene):
    """A user with no permission, and a dispatcher (work orders, not quotes or invoices)."""
    client = as_user(request.getfixturevalue(who))
    quote = QuoteFactory(customer=scene["customer"])
    invoice = InvoiceFactory(customer=scene["customer"])
    before = snapshot(quote), snapshot(invoice)
    for method, path in every_url(quote, invoice):
        data = {"contact": scene["david"].pk} if path.endswith("approve/") else {}
        assert getattr(client, method)(path, data).status_code == 403, path
    assert (snapshot(quote), snapshot(invoice)) == before
    assert not Message.objects.exists()


def test_portal_users_get_403(as_user, portal_user_factory, scene):
    user = portal_user_factory(
        scene["customer"], permissions=["admin"], email="boss@example.com", role_approver=True
    )
    quote = QuoteFactory(customer=scene["customer"], status="sent")
    client = as_user(user)
    assert client.get(QUOTES).status_code == 403
    assert client.get(url("quote", quote)).status_code == 403
    assert client.post(url("quote", quote, "approve"), {"contact": user.contact.pk}).status_code == 403
    assert snapshot(quote)["status"] == "sent"


def test_a_technician_reads_but_may_not_create_send_approve_or_issue(as_user, technician, scene):
    client = as_user(technician)
    draft = QuoteFactory(customer=scene["customer"])
    sent = QuoteFactory(customer=scene["customer"], status="sent")
    invoice = InvoiceFactory(customer=scene["customer"])
    before = [snapshot(draft), snapshot(sent), snapshot(invoice)]

    assert client.get(QUOTES).status_code == 200 and client.get(INVOICES).status_code == 200
    draft_page = client.get(url("quote", draft)).content.decode()
    assert draft.number in draft_page and "Send to the approvers" not in draft_page
    sent_page = client.get(url("quote", sent)).content.decode()
    assert "Record approval" not in sent_page
    invoice_page = client.get(url("invoice", invoice)).content.decode()
    assert invoice.number in invoice_page and ">Issue</button>" not in invoice_page
    assert "New quote" not in client.get(QUOTES).content.decode()

    assert client.get(f"{QUOTES}new/").status_code == 403
    assert client.get(f"{INVOICES}new/").status_code == 403
    data = {"customer": scene["customer"].pk, "amount": "100"}
    assert client.post(f"{QUOTES}new/", data).status_code == 403
    assert client.post(f"{INVOICES}new/", data).status_code == 403
    assert client.post(url("quote", draft, "send")).status_code == 403
    assert client.post(url("quote", sent, "approve"), {"contact": scene["david"].pk}).status_code == 403
    assert client.post(url("invoice", invoice, "issue")).status_code == 403

    assert [snapshot(draft), snapshot(sent), snapshot(invoice)] == before
    assert Quote.objects.count() == 2 and Invoice.objects.count() == 1
    assert not Message.objects.exists()


def test_a_quote_or_invoice_that_does_not_exist_is_404(clerk):
    for path in (f"{QUOTES}999999/", f"{INVOICES}999999/"):
        assert clerk.get(path).status_code == 404
    QuoteFactory()
    InvoiceFactory()
    with assert_unchanged(Quote, Invoice, Message):
        assert clerk.post(f"{QUOTES}999999/send/").status_code == 404
        assert clerk.post(f"{INVOICES}999999/issue/").status_code == 404


def test_the_navigation_offers_quotes_and_invoices_to_who_may_see_them(as_user, accounts_clerk, dispatcher):
    page = as_user(accounts_clerk).get("/contacts/").content.decode()
    assert f'href="{QUOTES}"' in page and f'href="{INVOICES}"' in page
    page = as_user(dispatcher).get("/contacts/").content.decode()
    assert f'href="{QUOTES}"' not in page and f'href="{INVOICES}"' not in page
    assert 'href="/work-orders/"' in page


# The lists ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_list_filters_by_customer_and_status(clerk, scene, kind):
    factory = KINDS[kind]["factory"]
    draft = factory(customer=scene["customer"], work_order=scene["work_order"])
    done_status = "approved" if kind == "quote" else "issued"
    done = factory(customer=scene["customer"], status=done_status, **approval_fields(kind))
    foreign = factory(customer=scene["other"])

    page = clerk.get(url(kind)).content.decode()
    assert all(doc.number in page for doc in (draft, done, foreign))
    assert "Chiller alarm" in page  # the work order's summary

    mine = clerk.get(url(kind), {"customer": scene["customer"].pk}).content.decode()
    assert draft.number in mine and done.number in mine and foreign.number not in mine
    assert f"of {scene['customer'].name}" in mine

    drafts = clerk.get(url(kind), {"status": "draft"}).content.decode()
    assert draft.number in drafts and done.number not in drafts

    refused = clerk.get(url(kind), {"status": "bogus"}).content.decode()
    assert "Select a valid choice" in refused and draft.number not in refused


def approval_fields(kind: str) -> dict:
    if kind == "quote":
        from django.utils import timezone

        return {"approved_at": timezone.now(), "approved_by_name": "David Chen"}
    return {}


@pytest.mark.parametrize("kind", KINDS)
def test_the_list_searches_by_number(clerk, scene, kind):
    factory, prefix = KINDS[kind]["factory"], KINDS[kind]["prefix"]
    wanted = factory(customer=scene["customer"])
    other = factory(customer=scene["customer"])
    for text in (wanted.number, str(wanted.pk), wanted.number.lower()):
        page = clerk.get(url(kind), {"search": text}).content.decode()
        assert wanted.number in page and other.number not in page, text
    nothing = clerk.get(url(kind), {"search": "chiller"}).content.decode()
    assert wanted.number not in nothing and "match" in nothing
    assert f"{prefix}-000042" in clerk.get(url(kind)).content.decode()  # the placeholder
    partial = clerk.get(url(kind), {"search": wanted.number}, **HTMX).content.decode()
    assert "<html" not in partial and wanted.number in partial


@pytest.mark.parametrize("kind", KINDS)
def test_the_list_pages_without_counting_and_costs_the_same_for_few_and_many(clerk, scene, kind):
    factory = KINDS[kind]["factory"]
    factory(customer=scene["customer"], work_order=scene["work_order"])
    clerk.get(url(kind))
    with CaptureQueriesContext(connection) as few:
        clerk.get(url(kind))
    for _ in range(50):
        factory(customer=scene["customer"], work_order=scene["work_order"])
    with CaptureQueriesContext(connection) as many:
        first = clerk.get(url(kind)).content.decode()
    assert len(few) == len(many)
    assert not any("COUNT(" in query["sql"].upper() for query in many.captured_queries)
    assert 'rel="next"' in first and "Page 1" in first
    second = clerk.get(url(kind), {"page": 2}).content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second


# Creating ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_form_offers_the_work_orders_of_the_chosen_customer(clerk, scene, kind):
    foreign = WorkOrderFactory(customer=scene["other"], summary="Fire panel fault")
    first = clerk.get(f"{url(kind)}new/").content.decode()
    assert scene["customer"].name in first and "Chiller alarm" not in first
    second = clerk.get(f"{url(kind)}new/", {"customer": scene["customer"].pk}).content.decode()
    assert "Chiller alarm" in second and foreign.summary not in second
    chosen = clerk.get(
        f"{url(kind)}new/", {"customer": scene["customer"].pk, "work_order": scene["work_order"].pk}
    ).content.decode()
    assert f'<option value="{scene["work_order"].pk}" selected>' in chosen
    partial = clerk.get(
        f"{url(kind)}new/", {"customer": scene["customer"].pk, "amount": "12.50"}, **HTMX
    ).content.decode()
    assert "<html" not in partial and 'id="document-form"' in partial and 'value="12.50"' in partial


@pytest.mark.parametrize("kind", KINDS)
def test_creating_writes_a_draft_through_the_service(clerk, scene, kind):
    response = clerk.post(
        f"{url(kind)}new/",
        {"customer": scene["customer"].pk, "work_order": scene["work_order"].pk, "amount": "1250.50"},
    )
    document = KINDS[kind]["model"].objects.get()
    assert response.status_code == 302 and response["Location"] == url(kind, document)
    assert (document.customer, document.work_order, document.amount, document.status) == (
        scene["customer"],
        scene["work_order"],
        Decimal("1250.50"),
        "draft",
    )
    assert document.history.get().history_user.username == "accounts"
    page = clerk.get(response["Location"]).content.decode()
    assert f"{document.number} created as a draft" in page and "1,250.50" in page and "Chiller alarm" in page
    assert not Message.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("foreign_work_order", "Select a valid choice"),
        ("negative_amount", "greater than or equal to 0"),
        ("no_amount", "This field is required"),
        ("no_customer", "This field is required"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_written(clerk, scene, kind, case, message):
    data = {"customer": scene["customer"].pk, "amount": "100"}
    if case == "foreign_work_order":
        data["work_order"] = WorkOrderFactory(customer=scene["other"]).pk
    elif case == "negative_amount":
        data["amount"] = "-1"
    elif case == "no_amount":
        data["amount"] = ""
    else:
        data["customer"] = ""
    response = clerk.post(f"{url(kind)}new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "field--invalid" in page
    assert not KINDS[kind]["model"].objects.exists()


# A quote: send, approve --------------------------------------------------------------------------------


def test_the_quote_page_shows_the_quote_and_who_sending_would_notify(clerk, scene):
    quote = QuoteFactory(customer=scene["customer"], work_order=scene["work_order"], amount=Decimal("8000"))
    page = clerk.get(url("quote", quote)).content.decode()
    assert f"Quote {quote.number}" in page and "8,000.00" in page
    assert f'href="/work-orders/{scene["work_order"].pk}/"' in page
    assert "Send to the approvers" in page
    assert "Who will be notified" in page and "David Chen" in page
    assert "No messages." in page


def test_sending_a_quote_writes_its_messages_and_lists_them_with_links(clerk, scene):
    quote = QuoteFactory(customer=scene["customer"], amount=Decimal("8000"))
    other_quote = QuoteFactory(customer=scene["customer"], amount=Decimal("50"))
    response = clerk.post(url("quote", quote, "send"), follow=True)
    assert response.redirect_chain == [(url("quote", quote), 302)]
    quote.refresh_from_db()
    assert quote.status == "sent" and quote.sent_at is not None
    message = Message.objects.get()
    assert (message.event, message.contact) == ("quote.sent", scene["david"])
    page = response.content.decode()
    assert f"Quote {quote.number} sent to the approvers: 1 message written." in page
    assert f'href="/outbox/{message.pk}/"' in page and message.subject in page
    assert "Send to the approvers" not in page and "Record approval" in page
    # The messages of another quote of the same customer are not this quote's.
    assert message.subject not in clerk.get(url("quote", other_quote)).content.decode()


def test_without_the_right_to_view_messages_they_are_listed_without_links(as_user, scene):
    reader = UserFactory(username="reader")
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_quote", "change_quote", "view_customer"])
    )
    quote = QuoteFactory(customer=scene["customer"], amount=Decimal("8000"))
    client = as_user(reader)
    client.post(url("quote", quote, "send"))
    message = Message.objects.get()
    page = client.get(url("quote", quote)).content.decode()
    assert message.subject in page and f"/outbox/{message.pk}/" not in page
    assert "Who will be notified" not in page  # a preview of contacts needs the right to see them


def test_a_quote_nobody_may_approve_is_not_sent_and_the_page_says_why(clerk, scene):
    quote = QuoteFactory(customer=scene["customer"], amount=Decimal("10000.01"))
    before = snapshot(quote)
    page = clerk.get(url("quote", quote)).content.decode()
    assert "No approver qualifies" in page  # the preview warns before sending
    response = clerk.post(url("quote", quote, "send"), follow=True)
    assert response.redirect_chain == [(url("quote", quote), 302)]
    assert "The quote was not sent. No approver qualifies" in response.content.decode()
    assert "message--error" in response.content.decode()
    assert snapshot(quote) == before and not Message.objects.exists()


def test_a_sent_quote_is_not_sent_again(clerk, scene):
    quote = QuoteFactory(customer=scene["customer"], status="sent")
    before = snapshot(quote)
    response = clerk.post(url("quote", quote, "send"), follow=True)
    assert "only a draft quote can be sent" in response.content.decode()
    assert snapshot(quote) == before and not Message.objects.exists()


def test_the_approval_offers_the_contacts_of_the_quotes_customer_approvers_first(clerk, scene):
    quote = QuoteFactory(customer=scene["customer"], status="sent")
    ContactFactory(customer=scene["other"], first_name="Olga", last_name="Other", role_approver=True)
    page = clerk.get(url("quote", quote)).content.decode()
    assert "Record approval" in page
    assert "David Chen (Facilities Manager) · limit $10,000.00" in page
    assert page.index('optgroup label="Approvers"') < page.index("David Chen (Facilities")
    assert page.index("David Chen (Facilities") < page.index('optgroup label="Other contacts')
    assert page.index('optgroup label="Other contacts') < page.index("Susan Williams")
    assert "Olga Other" not in page


def test_recording_an_approval_shows_who_approved(clerk, scene):
    quote = QuoteFactory(customer=scene["customer"], amount=Decimal("10000.00"), status="sent")
    response = clerk.post(url("quote", quote, "approve"), {"contact": scene["david"].pk}, follow=True)
    assert response.redirect_chain == [(url("quote", quote), 302)]
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by, quote.approved_by_name) == (
        "approved",
        scene["david"],
        "David Chen",
    )
    page = response.content.decode()
    assert f"Quote {quote.number} approved by David Chen." in page
    assert f'<a href="/contacts/{scene["david"].pk}/">David Chen</a>' in page
    assert ">Approved</span>" in page and "Record approval" not in page


def test_the_approvers_name_stays_after_the_contact_is_deleted(clerk, admin_user, scene):
    from clientbase.contacts import services as contact_services

    quote = QuoteFactory(customer=scene["customer"], status="sent")
    clerk.post(url("quote", quote, "approve"), {"contact": scene["david"].pk})
    contact_services.delete_contact(contact=scene["david"], acting_user=admin_user)
    page = clerk.get(url("quote", quote)).content.decode()
    assert '<dd id="approved-by">David Chen</dd>' in page


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("inactive", "David Chen is inactive and cannot approve quotes."),
        ("other_customer", "Olga Other is a contact of another customer and cannot approve this quote."),
        ("not_approver", "Susan Williams has no approval authority (the approver role)."),
        ("limit_below", "David Chen&#x27;s approval limit of $10,000.00 is below the quote&#x27;s amount"),
        ("not_sent", "is draft; only a sent quote can be approved."),
        ("unknown_contact", "Choose one of the contacts offered."),
        ("no_contact", "Choose the contact who approved the quote."),
        ("not_a_number", "Enter a whole number."),
    ],
)
def test_every_refused_approval_says_why_and_changes_nothing(clerk, scene, case, reason):
    quote = QuoteFactory(customer=scene["customer"], amount=Decimal("5000"), status="sent")
    contact: object = scene["david"].pk
    if case == "inactive":
        Contact.objects.filter(pk=scene["david"].pk).update(status="inactive")
    elif case == "other_customer":
        contact = ContactFactory(
            customer=scene["other"], first_name="Olga", last_name="Other", role_approver=True
        ).pk
    elif case == "not_approver":
        contact = scene["susan"].pk
    elif case == "limit_below":
        Quote.objects.filter(pk=quote.pk).update(amount=Decimal("10000.01"))
    elif case == "not_sent":
        Quote.objects.filter(pk=quote.pk).update(status="draft")
    elif case == "unknown_contact":
        contact = 999999
    elif case == "no_contact":
        contact = ""
    elif case == "not_a_number":
        contact = "david"
    before = snapshot(quote)
    response = clerk.post(url("quote", quote, "approve"), {"contact": contact}, follow=True)
    assert response.redirect_chain == [(url("quote", quote), 302)]
    page = response.content.decode()
    assert reason in page and "message--error" in page
    assert snapshot(quote) == before
    assert not Message.objects.exists()


# An invoice: issue -------------------------------------------------------------------------------------


def test_issuing_an_invoice_writes_its_messages_and_lists_them(clerk, scene):
    invoice = InvoiceFactory(customer=scene["customer"], work_order=scene["work_order"])
    page = clerk.get(url("invoice", invoice)).content.decode()
    assert ">Issue</button>" in page and "Who will be notified" in page and "Susan Williams" in page
    response = clerk.post(url("invoice", invoice, "issue"), follow=True)
    assert response.redirect_chain == [(url("invoice", invoice), 302)]
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.issued_at is not None
    message = Message.objects.get()
    assert (message.event, message.contact) == ("invoice.issued", scene["susan"])
    page = response.content.decode()
    assert f"Invoice {invoice.number} issued: 1 message written." in page
    assert f'href="/outbox/{message.pk}/"' in page and ">Issue</button>" not in page


def test_an_issued_invoice_is_not_issued_again(clerk, scene):
    invoice = InvoiceFactory(customer=scene["customer"], status="issued")
    before = snapshot(invoice)
    response = clerk.post(url("invoice", invoice, "issue"), follow=True)
    page = response.content.decode()
    assert "only a draft invoice can be issued" in page and "message--error" in page
    assert snapshot(invoice) == before and not Message.objects.exists()


# The customer, work-order and contact pages ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_customer_page_shows_the_newest_few_with_a_link_to_all(clerk, scene, kind):
    factory = KINDS[kind]["factory"]
    documents = [factory(customer=scene["customer"]) for _ in range(6)]
    elsewhere = factory(customer=scene["other"])
    customer = scene["customer"]
    page = clerk.get(f"/customers/{customer.pk}/").content.decode()
    section = page[page.index(f'id="{kind}s"') :]
    section = section[: section.index("</section>")]
    assert [doc.number in section for doc in documents] == [False, True, True, True, True, True]
    assert section.index(documents[-1].number) < section.index(documents[-2].number)  # newest first
    assert elsewhere.number not in section
    assert f'href="{url(kind)}?customer={customer.pk}"' in section
    assert f'href="{url(kind)}new/?customer={customer.pk}"' in section


def test_the_customer_page_hides_what_the_user_may_not_see_or_do(as_user, technician, dispatcher, scene):
    customer = scene["customer"]
    QuoteFactory(customer=customer)
    page = as_user(technician).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="quotes"' in page and 'id="invoices"' in page
    assert "/quotes/new/" not in page and "/invoices/new/" not in page
    page = as_user(dispatcher).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="quotes"' not in page and 'id="invoices"' not in page and 'id="work-orders"' in page


def test_the_work_order_page_links_its_quotes_and_invoices(as_user, accounts_clerk, dispatcher, scene):
    work_order = scene["work_order"]
    quote = QuoteFactory(customer=scene["customer"], work_order=work_order)
    invoice = InvoiceFactory(customer=scene["customer"], work_order=work_order)
    page = as_user(accounts_clerk).get(f"/work-orders/{work_order.pk}/").content.decode()
    assert f'href="{url("quote", quote)}"' in page and f'href="{url("invoice", invoice)}"' in page
    prefill = f"?customer={scene['customer'].pk}&amp;work_order={work_order.pk}"
    assert f"/quotes/new/{prefill}" in page and f"/invoices/new/{prefill}" in page
    page = as_user(dispatcher).get(f"/work-orders/{work_order.pk}/").content.decode()
    assert quote.number not in page and "/quotes/new/" not in page


def test_the_contact_page_shows_its_work_orders_and_the_quotes_it_approved(as_user, technician, scene):
    david, customer = scene["david"], scene["customer"]
    requested = WorkOrderFactory(customer=customer, summary="Leaking valve", requested_by=david)
    on_site = WorkOrderFactory(customer=customer, summary="Boiler service", site_contact=david)
    unrelated = WorkOrderFactory(customer=customer, summary="Lift inspection")
    approved = QuoteFactory(customer=customer, status="sent")
    not_his = QuoteFactory(customer=customer)
    as_user(UserFactory(username="approver-admin", is_superuser=True)).post(
        url("quote", approved, "approve"), {"contact": david.pk}
    )
    page = as_user(technician).get(f"/contacts/{david.pk}/").content.decode()
    section = page[page.index('id="work-and-quotes"') :]
    section = section[: section.index("</section>")]
    assert "Work orders and quotes" in section
    assert requested.number in section and on_site.number in section and unrelated.number not in section
    assert "Requester" in section and "Site contact" in section
    assert approved.number in section and not_his.number not in section
    assert f'href="{url("quote", approved)}"' in section


def test_the_contact_section_shows_only_what_the_user_may_see(as_user, dispatcher, nobody, scene):
    david = scene["david"]
    WorkOrderFactory(customer=scene["customer"], summary="Leaking valve", requested_by=david)
    page = as_user(dispatcher).get(f"/contacts/{david.pk}/").content.decode()
    assert "Leaking valve" in page and "Quotes approved" not in page
    contacts_only = UserFactory(username="contacts-only")
    contacts_only.user_permissions.add(*Permission.objects.filter(codename="view_contact"))
    response = as_user(contacts_only).get(f"/contacts/{david.pk}/")
    assert response.status_code == 200 and "David Chen" in response.content.decode()
    assert 'id="work-and-quotes"' not in response.content.decode()


def test_the_contact_section_links_to_the_full_lists_when_there_are_more(as_user, accounts_clerk, scene):
    david = scene["david"]
    for _ in range(6):
        WorkOrderFactory(customer=scene["customer"], requested_by=david)
    page = as_user(accounts_clerk).get(f"/contacts/{david.pk}/").content.decode()
    assert f"/work-orders/?requested_by={david.pk}" in page
    assert f"/work-orders/?site_contact={david.pk}" in page
    listed = as_user(accounts_clerk).get("/quotes/", {"approved_by": david.pk}).content.decode()
    assert "Quotes of" not in listed and "approved by David Chen" in listed


# Markup in names ---------------------------------------------------------------------------------------


def test_markup_in_names_is_escaped_everywhere(clerk, scene):
    customer = CustomerFactory(name=SCRIPT)
    approver = ContactFactory(
        customer=customer,
        first_name=SCRIPT,
        last_name="Boss",
        email="boss@example.com",
        role_approver=True,
        approval_limit=Decimal("1"),
        notify_quotes=True,
    )
    work_order = WorkOrderFactory(customer=customer, summary=SCRIPT)
    quote = QuoteFactory(customer=customer, work_order=work_order, amount=Decimal("1"), status="sent")
    invoice = InvoiceFactory(customer=customer, work_order=work_order)
    Quote.objects.filter(pk=quote.pk).update(amount=Decimal("2"))  # above the limit: refused
    refused = clerk.post(url("quote", quote, "approve"), {"contact": approver.pk}, follow=True)
    pages = [
        refused,
        clerk.get(QUOTES),
        clerk.get(INVOICES),
        clerk.get(url("invoice", invoice)),
        clerk.get(f"{QUOTES}new/", {"customer": customer.pk}),
        clerk.get(f"/customers/{customer.pk}/"),
        clerk.get(f"/contacts/{approver.pk}/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert "<script>alert" not in html
        assert ESCAPED_SCRIPT in html
    assert f"{ESCAPED_SCRIPT} Boss&#x27;s approval limit" in refused.content.decode()
