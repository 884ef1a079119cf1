"""`services.send_email`: an e-mail a staff user writes to a contact from its record is one outbox
message and one activity, written together; every refusal writes neither and says why; the
worker delivers it over real SMTP as a personal mail, and records no second activity."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import erase
from clientbase.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clientbase.notifications import delivery, services
from clientbase.notifications.mail import build_email, render_bodies
from clientbase.notifications.models import Activity, Message
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    return ContactFactory(
        customer=customer, first_name="Ann", last_name="Lee", email="ann.lee@northwind.example"
    )


def send(
    user, contact, subject="Your visit on Monday", body="Dear Ann,\n\nWe come at nine.\n\nDana", **kwargs
):
    return services.send_email(acting_user=user, contact=contact, subject=subject, body=body, **kwargs)


# What is written --------------------------------------------------------------------------------------


def test_one_message_and_one_activity_linked_to_it(dispatcher, ann):
    activity = send(dispatcher, ann)

    message = Message.objects.get()
    assert activity == Activity.objects.get()
    assert (message.event, message.to, message.recipient_name, message.subject, message.status) == (
        "contact.email",
        "ann.lee@northwind.example",
        "Ann Lee",
        "Your visit on Monday",
        "pending",
    )
    assert (message.contact, message.customer_id, message.reason) == (
        ann,
        ann.customer_id,
        services.EMAIL_REASON,
    )
    # The facts are a snapshot taken now, as for events.
    assert message.context["facts"] == {
        "subject": "Your visit on Monday",
        "body": "Dear Ann,\n\nWe come at nine.\n\nDana",
        "customer_name": "Northwind Hospitals",
        "customer_number": ann.customer.number,
    }
    assert (activity.kind, activity.summary, activity.body, activity.user, activity.message) == (
        "message",
        "Your visit on Monday",
        "Dear Ann,\n\nWe come at nine.\n\nDana",
        dispatcher,
        message,
    )
    assert (activity.contact, activity.contact_name, activity.customer_id) == (
        ann,
        "Ann Lee",
        ann.customer_id,
    )


def test_it_is_sent_whatever_the_contacts_notification_choices(accounts_clerk, ann):
    assert not any(ann.notify.values())  # opted into nothing
    send(accounts_clerk, ann)
    assert Message.objects.filter(contact=ann, event="contact.email").count() == 1


def test_an_unaffiliated_contact_is_written_to_as_well(admin_user):
    loner = ContactFactory(customer=None, first_name="Ivo", last_name="Free", email="ivo@example.com")
    activity = send(admin_user, loner)
    assert activity.customer_id is None and activity.message.context["facts"]["body"].startswith("Dear")


def test_the_text_is_stored_as_text_is_everywhere(dispatcher, ann):
    """NFC, line breaks as line feeds, surrounding blanks stripped."""
    activity = send(
        dispatcher, ann, subject="  Re\u0301sume\u0301 of the visit  ", body="\n Line one\r\nLine two\r \n"
    )
    assert activity.summary == "Résumé of the visit" == activity.message.subject
    assert activity.body == "Line one\nLine two" == activity.message.context["facts"]["body"]


def test_the_mail_is_the_text_as_written(dispatcher, ann):
    activity = send(dispatcher, ann, body="Hello <Ann> & team,\nsee https://northwind.example/plan.")
    text, html = render_bodies(activity.message)
    assert text == "Hello <Ann> & team,\nsee https://northwind.example/plan.\n"
    assert "Hello &lt;Ann&gt; &amp; team," in html
    assert '<a href="https://northwind.example/plan"' in html
    assert "white-space:pre-wrap" in html


def test_a_person_wrote_it_so_it_is_not_marked_automatic_and_replies_go_to_the_writer(dispatcher, ann):
    email = build_email(send(dispatcher, ann).message)
    assert "Auto-Submitted" not in email.message()
    assert email.reply_to == [dispatcher.email]
    assert email.extra_headers["X-Clientbase-Event"] == "contact.email"


def test_a_writer_without_an_address_gets_no_reply_to(ann):
    writer = UserFactory(username="noaddress", email="", is_superuser=True)
    email = build_email(send(writer, ann).message)
    assert email.reply_to == []


def test_the_worker_delivers_it_over_smtp_and_records_no_second_activity(dispatcher, ann, smtp_server):
    activity = send(dispatcher, ann)

    assert delivery.process_due(worker="test")["sent"] == 1

    [mail] = smtp_server.received
    assert mail["To"] == "Ann Lee <ann.lee@northwind.example>"
    assert mail["Subject"] == "Your visit on Monday"
    assert mail["Reply-To"] == dispatcher.email
    assert mail["Auto-Submitted"] is None
    assert "We come at nine." in mail.get_body(("plain",)).get_content()
    message = Message.objects.get()
    assert message.status == "sent" and message.sent_at is not None
    assert list(Activity.objects.all()) == [activity]


# Refusals: each says why, and nothing is written ------------------------------------------------------


def refused(user, contact, error, match, **kwargs):
    with assert_unchanged(Message, Activity, Contact), pytest.raises(error) as raised:
        send(user, contact, **kwargs)
    assert match in raised.value.message, raised.value.message
    return raised.value


def test_an_inactive_contact_is_refused(dispatcher, ann):
    ann.status = Contact.Status.INACTIVE
    ann.save()
    refused(dispatcher, ann, Conflict, "Ann Lee is inactive: e-mail is written only to active contacts.")


def test_a_contact_without_an_address_is_refused(dispatcher, ann):
    ann.email = ""
    ann.save()
    refused(dispatcher, ann, Conflict, "Ann Lee has no e-mail address; add one first. Nothing was sent.")


def test_a_bounced_address_is_refused_naming_it_and_when_it_bounced(dispatcher, ann):
    with timezone.override(datetime.UTC):
        services.mark_bounced(contact_id=ann.pk, address=ann.email, detail="550 User unknown")
        bounced = Activity.objects.get()
        Activity.objects.filter(pk=bounced.pk).update(
            created_at=datetime.datetime(2025, 3, 4, 10, 12, tzinfo=datetime.UTC)
        )
        ann.refresh_from_db()
        error = refused(
            dispatcher,
            ann,
            Conflict,
            "The address ann.lee@northwind.example of Ann Lee bounced on 2025-03-04 10:12 UTC",
        )
    assert "Correct the address, or send a test e-mail" in error.message


def test_a_bounced_address_without_a_recorded_bounce_is_refused_too(dispatcher, ann):
    Contact.objects.filter(pk=ann.pk).update(email_status=Contact.EmailStatus.BOUNCED)
    ann.refresh_from_db()
    refused(dispatcher, ann, Conflict, "The address ann.lee@northwind.example of Ann Lee bounced: mail")


def test_an_erased_contact_is_refused(admin_user, ann):
    erase(admin_user, ann)
    ann.refresh_from_db()
    refused(admin_user, ann, Conflict, "is inactive")


def test_an_address_changed_since_the_form_was_opened_is_refused(dispatcher, ann):
    refused(
        dispatcher,
        ann,
        Conflict,
        "changed since this form was opened, from ann@old.example to ann.lee@northwind.example; "
        "nothing was sent",
        expected_email="ann@old.example",
    )
    # The address shown (any case) goes through.
    assert send(dispatcher, ann, expected_email="ANN.LEE@northwind.example").message.to == ann.email


@pytest.mark.parametrize(
    ("subject", "body", "errors"),
    [
        ("", "Hello", {"subject": ["This field may not be blank."]}),
        ("Hi", "  \n\t ", {"body": ["This field may not be blank."]}),
        ("  ", "", {"subject": ["This field may not be blank."], "body": ["This field may not be blank."]}),
        ("x" * 201, "Hello", {"subject": ["At most 200 characters (201 given)."]}),
        ("Hi", "x" * 32_767, {"body": ["At most 32,766 characters (32,767 given)."]}),
        (
            "Two\nlines",
            "Hello",
            {"subject": ["Contains a line break (U+000A); this field is a single line."]},
        ),
        ("Hi", "Bell \x07", {"body": ["Contains a control character (U+0007), which text may not hold."]}),
        (
            "Hi\u200b",
            "Hello",
            {
                "subject": [
                    "Contains an invisible zero-width character (U+200B ZERO WIDTH SPACE), which makes "
                    "different values look the same."
                ]
            },
        ),
    ],
)
def test_bad_input_is_refused_per_field(dispatcher, ann, subject, body, errors):
    error = refused(dispatcher, ann, ValidationFailed, "", subject=subject, body=body)
    assert error.errors == errors


def test_the_longest_subject_and_text_are_taken(dispatcher, ann):
    activity = send(dispatcher, ann, subject="s" * 200, body="b" * 32_766)
    assert len(activity.summary) == 200 and len(activity.message.context["facts"]["body"]) == 32_766


def test_a_technician_may_not_write(technician, ann):
    refused(technician, ann, Forbidden, "You may not send e-mail to contacts")


def test_a_staff_user_without_permissions_may_not_even_see_the_contact(nobody, ann):
    refused(nobody, ann, Forbidden, "You may not view contacts.")


def test_a_contact_clerk_without_the_activity_log_may_not_write(location_contact_clerk, ann):
    refused(location_contact_clerk, ann, Forbidden, "You may not send e-mail to contacts")


def test_portal_users_never_write_and_never_reach_another_customer(portal_user_factory, ann):
    colleague = portal_user_factory(ann.customer, permissions=["admin"], email="boss@northwind.example")
    refused(colleague, ann, Forbidden, "Only staff send e-mail from a contact's record.")
    stranger = portal_user_factory(CustomerFactory(), permissions=["admin"], email="x@contoso.example")
    refused(stranger, ann, NotFound, "Contact not found.")


def test_a_deleted_contact_is_not_found(dispatcher, ann):
    gone = Contact(pk=ann.pk + 1000)
    refused(dispatcher, gone, NotFound, "Contact not found.")


def test_the_refusal_of_the_address_is_the_one_the_pages_show(dispatcher, ann):
    """`email_refusal` is None for a contact that may be written to; `email_blocker` costs no query."""
    assert services.email_refusal(ann) is None
    ann.email_status = Contact.EmailStatus.BOUNCED
    assert services.email_blocker(ann) == services.BOUNCED
