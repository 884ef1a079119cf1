"""The e-mail staff write from a record, on the staff pages: the contact page's “Send e-mail” form
(and its compose page), the customer page's form that chooses one of its contacts. Sent, it says so
and shows in the activity history; a contact that may not be written to shows why instead of the
form; a refusal keeps what was typed and changes nothing; a form whose address changed since is
refused and comes back with the current one; forms carry their CSRF token."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.notifications import services
from clientbase.notifications.models import Activity, Message
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import assert_unchanged
from tests.test_stale_forms import FormReader

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind(db):
    return CustomerFactory(name="Northwind Hospitals")


@pytest.fixture
def ann(northwind):
    return ContactFactory(
        customer=northwind, first_name="Ann", last_name="Lee", email="ann.lee@northwind.example"
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_posting_to(html: str, action: str) -> dict[str, list[str]]:
    """What a browser posts from the page's form whose action is `action`."""
    reader = FormReader()
    reader.feed(html)
    actions = [unescape(found) for found in _actions(html)]
    assert action in actions, actions
    return reader.forms[actions.index(action)]


def _actions(html: str) -> list[str]:
    import re

    return [match.group(2) or "" for match in re.finditer(r'<form method="post"( action="([^"]*)")?', html)]


def page_text(response) -> str:
    return unescape(response.content.decode())


# The contact page --------------------------------------------------------------------------------------


def test_a_dispatcher_writes_to_a_contact_from_its_page_and_sees_it_in_the_activity(
    dispatcher, ann, settings
):
    settings.EMAIL_HOST = ""
    client = signed_in(dispatcher)
    page = client.get(f"/contacts/{ann.pk}/").content.decode()
    assert '<summary class="btn">Send e-mail</summary>' in page
    assert f'for="email-{ann.pk}-subject"' in page and f'for="email-{ann.pk}-body"' in page
    action = f"/contacts/{ann.pk}/send-email/"
    data = form_posting_to(page, action)
    assert data["to"] == ["ann.lee@northwind.example"] and "csrfmiddlewaretoken" in data
    data.update(subject=["Your visit on Monday"], body=["Dear Ann,\nwe come at nine."])

    response = client.post(action, data, follow=True)

    assert response.redirect_chain == [(f"/contacts/{ann.pk}/#activity", 302)]
    text = page_text(response)
    assert "E-mail to Ann Lee queued. No mail is sent here (no EMAIL_HOST): see the outbox." in text
    message = Message.objects.get()
    assert (message.event, message.to, message.subject) == (
        "contact.email",
        "ann.lee@northwind.example",
        "Your visit on Monday",
    )
    activity = Activity.objects.get()
    assert (activity.kind, activity.user, activity.message) == ("message", dispatcher, message)
    # In the contact's activity: the subject, linked to the message in the outbox, and its state.
    assert f'<a href="/outbox/{message.pk}/">Your visit on Monday</a> <span class="badge">Pending</span>' in (
        response.content.decode()
    )


def test_the_compose_page_sends_too_and_says_so(accounts_clerk, ann, settings):
    settings.EMAIL_HOST = "smtp.example.com"
    client = signed_in(accounts_clerk)
    page = client.get(f"/contacts/{ann.pk}/send-email/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>E-mail to Ann Lee</h1>" in html and "&lt;ann.lee@northwind.example&gt;" in html
    data = form_posting_to(html, "")
    data.update(subject=["Hello"], body=["Hi Ann"])
    response = client.post(f"/contacts/{ann.pk}/send-email/", data, follow=True)
    assert "E-mail to Ann Lee queued." in page_text(response)
    assert "No mail is sent here" not in page_text(response)
    assert Activity.objects.get().summary == "Hello"


def test_blank_or_bad_fields_are_shown_next_to_them_with_the_input_kept(dispatcher, ann):
    client = signed_in(dispatcher)
    with assert_unchanged(Message, Activity, Contact):
        response = client.post(
            f"/contacts/{ann.pk}/send-email/",
            {"to": ann.email, "subject": "Line\u2028break", "body": "Kept text"},
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the fields marked below." in html
    assert "Contains a line break (U+2028 LINE SEPARATOR); this field is a single line." in html
    assert "Kept text</textarea>" in html
    blank = client.post(f"/contacts/{ann.pk}/send-email/", {"to": ann.email, "subject": "", "body": ""})
    assert blank.content.decode().count("This field is required.") == 2
    assert not Message.objects.exists()


def test_a_bounced_contact_shows_why_instead_of_the_form_and_a_post_is_refused(dispatcher, ann):
    services.mark_bounced(contact_id=ann.pk, address=ann.email, detail="550 User unknown")
    client = signed_in(dispatcher)
    contact_page = page_text(client.get(f"/contacts/{ann.pk}/"))
    assert "The address ann.lee@northwind.example of Ann Lee bounced on " in contact_page
    assert "Correct the address, or send a test e-mail" in contact_page
    assert "Send e-mail</summary>" not in contact_page
    compose = client.get(f"/contacts/{ann.pk}/send-email/")
    assert compose.status_code == 200
    assert "of Ann Lee bounced on " in page_text(compose) and 'name="subject"' not in compose.content.decode()
    with assert_unchanged(Message, Activity, Contact):
        refused = client.post(
            f"/contacts/{ann.pk}/send-email/", {"to": ann.email, "subject": "Hello", "body": "Hi"}
        )
    assert refused.status_code == 409
    assert "bounced on " in page_text(refused) and "Nothing was sent." in page_text(refused)


def test_a_contact_without_an_address_says_so(dispatcher, northwind):
    nobody_home = ContactFactory(customer=northwind, first_name="Bo", last_name="Ray", email="")
    page = page_text(signed_in(dispatcher).get(f"/contacts/{nobody_home.pk}/"))
    assert "Bo Ray has no e-mail address; add one first." in page
    assert "Send e-mail</summary>" not in page


def test_a_form_whose_address_changed_since_is_refused_then_sent_to_the_new_one(dispatcher, ann):
    client = signed_in(dispatcher)
    data = form_posting_to(
        client.get(f"/contacts/{ann.pk}/").content.decode(), f"/contacts/{ann.pk}/send-email/"
    )
    Contact.objects.filter(pk=ann.pk).update(email="ann@northwind.example")  # someone else, meanwhile
    data.update(subject=["Your visit"], body=["Typed with care"])

    with assert_unchanged(Message, Activity):
        refused = client.post(f"/contacts/{ann.pk}/send-email/", data)

    assert refused.status_code == 409
    html = refused.content.decode()
    assert (
        "The e-mail address of Ann Lee changed since this form was opened, from "
        "ann.lee@northwind.example to ann@northwind.example; nothing was sent." in page_text(refused)
    )
    assert "Typed with care</textarea>" in html and 'value="Your visit"' in html
    again = form_posting_to(html, "")
    assert again["to"] == ["ann@northwind.example"]
    assert client.post(f"/contacts/{ann.pk}/send-email/", again).status_code == 302
    assert Message.objects.get().to == "ann@northwind.example"


def test_who_may_not_write_sees_no_form_and_is_refused(technician, location_contact_clerk, nobody, ann):
    for user in (technician, location_contact_clerk):
        client = signed_in(user)
        assert "Send e-mail</summary>" not in client.get(f"/contacts/{ann.pk}/").content.decode()
        assert client.get(f"/contacts/{ann.pk}/send-email/").status_code == 403
        with assert_unchanged(Message, Activity, Contact):
            response = client.post(f"/contacts/{ann.pk}/send-email/", {"subject": "Hi", "body": "Hi"})
        assert response.status_code == 403
    assert signed_in(nobody).get(f"/contacts/{ann.pk}/send-email/").status_code == 403
    assert signed_in(technician).get("/contacts/999999/send-email/").status_code == 404
    assert Client().get(f"/contacts/{ann.pk}/send-email/").status_code == 302


def test_a_post_without_its_csrf_token_is_refused(dispatcher, ann):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    with assert_unchanged(Message, Activity):
        response = client.post(
            f"/contacts/{ann.pk}/send-email/", {"to": ann.email, "subject": "Hi", "body": "Hi"}
        )
    assert response.status_code == 403


# The customer page -------------------------------------------------------------------------------------


def test_the_customer_page_leads_to_a_form_offering_its_contacts_that_may_be_written_to(
    dispatcher, northwind, ann
):
    bounced = ContactFactory(
        customer=northwind, first_name="Bob", last_name="Roe", email="bob@northwind.example"
    )
    Contact.objects.filter(pk=bounced.pk).update(email_status=Contact.EmailStatus.BOUNCED)
    ContactFactory(customer=northwind, first_name="Cy", last_name="Old", status=Contact.Status.INACTIVE)
    ContactFactory(customer=northwind, first_name="Di", last_name="Noaddress", email="")
    ContactFactory(customer=CustomerFactory(), first_name="Eve", last_name="Elsewhere")
    client = signed_in(dispatcher)

    customer_page = client.get(f"/customers/{northwind.pk}/").content.decode()
    assert f'<a class="btn" href="/customers/{northwind.pk}/send-email/">Send e-mail to a contact</a>' in (
        customer_page
    )
    page = client.get(f"/customers/{northwind.pk}/send-email/").content.decode()

    assert "<h1>E-mail to a contact of Northwind Hospitals</h1>" in page
    assert '<label for="id_contact">To <span class="required">(required)</span></label>' in page
    options = page[page.index('id="id_contact"') : page.index("</select>")]
    assert f'<option value="{ann.pk}">Ann Lee &lt;ann.lee@northwind.example&gt;</option>' in options
    assert "Bob Roe" not in options and "Cy Old" not in options and "Eve" not in options
    assert "Bob Roe (address bounced)" in page and "Cy Old (inactive)" in page
    assert "1 contact without an e-mail address is not listed." in page


def test_a_dispatcher_writes_to_a_contact_chosen_for_a_customer(dispatcher, northwind, ann, settings):
    settings.EMAIL_HOST = ""
    client = signed_in(dispatcher)
    action = f"/customers/{northwind.pk}/send-email/"
    data = form_posting_to(client.get(action).content.decode(), "")
    data.update(contact=[str(ann.pk)], subject=["Invoice copy"], body=["Attached as promised."])

    response = client.post(action, data, follow=True)

    assert response.redirect_chain == [(f"/customers/{northwind.pk}/#activity", 302)]
    assert "E-mail to Ann Lee queued." in page_text(response)
    activity = Activity.objects.get()
    assert (activity.contact, activity.summary, activity.message.to) == (
        ann,
        "Invoice copy",
        "ann.lee@northwind.example",
    )
    assert "Invoice copy</a>" in response.content.decode()  # in the customer's activity


def test_the_customer_form_refuses_with_the_reason_and_keeps_the_input(dispatcher, northwind, ann):
    Contact.objects.filter(pk=ann.pk).update(email_status=Contact.EmailStatus.BOUNCED)
    stranger = ContactFactory(customer=CustomerFactory(), email="eve@contoso.example")
    client = signed_in(dispatcher)
    with assert_unchanged(Message, Activity, Contact):
        refused = client.post(
            f"/customers/{northwind.pk}/send-email/", {"contact": ann.pk, "subject": "Hi", "body": "Kept"}
        )
        other_customers = client.post(
            f"/customers/{northwind.pk}/send-email/", {"contact": stranger.pk, "subject": "Hi", "body": "Hi"}
        )
        blank = client.post(
            f"/customers/{northwind.pk}/send-email/", {"contact": "", "subject": "Hi", "body": "Hi"}
        )
    assert refused.status_code == 409
    assert "The address ann.lee@northwind.example of Ann Lee bounced" in page_text(refused)
    assert "Kept</textarea>" in refused.content.decode()
    assert "No contact of Northwind Hospitals can be written to now." in page_text(refused)
    assert other_customers.status_code == 200 and "Select a valid choice." in page_text(other_customers)
    assert blank.status_code == 200 and "This field is required." in page_text(blank)


def test_a_customer_without_contacts_to_write_to_says_so(dispatcher, northwind):
    page = page_text(signed_in(dispatcher).get(f"/customers/{northwind.pk}/send-email/"))
    assert "No contact of Northwind Hospitals can be written to now." in page
    assert 'name="subject"' not in page


def test_technicians_see_the_customers_activity_without_the_form(technician, northwind, ann):
    client = signed_in(technician)
    page = client.get(f"/customers/{northwind.pk}/").content.decode()
    assert 'id="activity"' in page and "Send e-mail to a contact" not in page
    assert client.get(f"/customers/{northwind.pk}/send-email/").status_code == 403
    with assert_unchanged(Message, Activity):
        response = client.post(
            f"/customers/{northwind.pk}/send-email/", {"contact": ann.pk, "subject": "Hi", "body": "Hi"}
        )
    assert response.status_code == 403
