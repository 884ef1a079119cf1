"""`POST contacts/{id}/send-email/ {"subject": ..., "body": ...}`: queued in the outbox and recorded
in the activity history (202 with the message, its status and the activity); 400 per field, 403
for whoever may not write, 404 out of scope, 409 for a contact that may not be written to now.
Every refusal leaves the outbox, the activity log and the contact as they were."""

from __future__ import annotations

import pytest

from clientbase.contacts.models import Contact
from clientbase.notifications.models import Activity, Message
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
HELLO = {"subject": "Your visit on Monday", "body": "Dear Ann,\nwe come at nine."}


@pytest.fixture
def ann(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    return ContactFactory(
        customer=customer, first_name="Ann", last_name="Lee", email="ann.lee@northwind.example"
    )


def url_of(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}/send-email/"


def test_queues_the_mail_and_records_it(api, dispatcher, ann):
    response = api(dispatcher).post(url_of(ann), HELLO, format="json")

    assert response.status_code == 202, response.json()
    message, activity = Message.objects.get(), Activity.objects.get()
    assert response.json() == {
        "message": message.pk,
        "status": "pending",
        "to": "ann.lee@northwind.example",
        "subject": "Your visit on Monday",
        "activity": activity.pk,
    }
    assert response["Location"] == f"/api/v1/messages/{message.pk}/"
    assert (activity.message, activity.user, activity.kind, activity.body) == (
        message,
        dispatcher,
        "message",
        "Dear Ann,\nwe come at nine.",
    )
    # The activity is in the contact's history through the API too.
    listed = api(dispatcher).get("/api/v1/activities/", {"contact": ann.pk}).json()["results"]
    assert [(row["kind"], row["summary"], row["message"], row["user"]) for row in listed] == [
        ("message", "Your visit on Monday", message.pk, "dispatcher")
    ]


@pytest.mark.parametrize("writer", ["admin_user", "dispatcher", "accounts_clerk"])
def test_staff_who_record_activities_may_write(api, request, ann, writer):
    response = api(request.getfixturevalue(writer)).post(url_of(ann), HELLO, format="json")
    assert response.status_code == 202, response.json()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"subject": ["This field is required."], "body": ["This field is required."]}),
        ({"subject": "Hi"}, {"body": ["This field is required."]}),
        ({**HELLO, "to": "someone@else.example"}, {"to": ["Unknown field."]}),
        ({"subject": None, "body": "Hi"}, {"subject": ["This field may not be null."]}),
        ({"subject": " ", "body": "Hi"}, {"subject": ["This field may not be blank."]}),
        ({"subject": "Hi", "body": ""}, {"body": ["This field may not be blank."]}),
        ({"subject": "x" * 201, "body": "Hi"}, {"subject": ["At most 200 characters (201 given)."]}),
        (
            {"subject": "One\ntwo", "body": "Hi"},
            {"subject": ["Contains a line break (U+000A); this field is a single line."]},
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, dispatcher, ann, body, errors):
    with assert_unchanged(Message, Activity, Contact):
        response = api(dispatcher).post(url_of(ann), body, format="json")
    assert response.status_code == 400
    assert response.json() == errors


def test_a_bounced_address_is_a_409_naming_it(api, dispatcher, ann):
    Contact.objects.filter(pk=ann.pk).update(email_status=Contact.EmailStatus.BOUNCED)
    with assert_unchanged(Message, Activity, Contact):
        response = api(dispatcher).post(url_of(ann), HELLO, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("The address ann.lee@northwind.example of Ann Lee bounced")
    assert response.json()["detail"].endswith("Nothing was sent.")


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"email": ""}, "Ann Lee has no e-mail address; add one first. Nothing was sent."),
        (
            {"status": Contact.Status.INACTIVE},
            "Ann Lee is inactive: e-mail is written only to active contacts. Nothing was sent.",
        ),
    ],
)
def test_a_contact_without_an_address_or_inactive_is_a_409(api, dispatcher, ann, change, detail):
    Contact.objects.filter(pk=ann.pk).update(**change)
    with assert_unchanged(Message, Activity, Contact):
        response = api(dispatcher).post(url_of(ann), HELLO, format="json")
    assert (response.status_code, response.json()) == (409, {"detail": detail})


def test_who_may_not_write_is_refused_and_nothing_changes(
    api, technician, nobody, location_contact_clerk, portal_user_factory, ann
):
    colleague = portal_user_factory(ann.customer, permissions=["admin"], email="boss@northwind.example")
    stranger = portal_user_factory(CustomerFactory(), permissions=["admin"], email="x@contoso.example")
    with assert_unchanged(Message, Activity, Contact):
        assert api().post(url_of(ann), HELLO, format="json").status_code == 401
        for user, detail in (
            (technician, "You may not send e-mail to contacts"),
            (location_contact_clerk, "You may not send e-mail to contacts"),
            (nobody, "You may not view contacts."),
            (colleague, "Only staff send e-mail from a contact's record."),
        ):
            response = api(user).post(url_of(ann), HELLO, format="json")
            assert response.status_code == 403, user
            assert response.json()["detail"].startswith(detail)
        assert api(stranger).post(url_of(ann), HELLO, format="json").status_code == 404
    assert not Message.objects.exists()


def test_a_missing_contact_is_a_404(api, dispatcher):
    response = api(dispatcher).post("/api/v1/contacts/999999/send-email/", HELLO, format="json")
    assert (response.status_code, response.json()) == (404, {"detail": "Contact not found."})


def test_only_post_is_offered(api, dispatcher, ann):
    assert api(dispatcher).get(url_of(ann)).status_code == 405


def test_the_schema_describes_the_request_and_the_answers(api):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/contacts/{id}/send-email/"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = operation["responses"]["202"]["content"]["application/json"]["schema"]["$ref"]
    components = schema["components"]["schemas"]
    sent = components[request.rsplit("/", 1)[1]]
    assert set(sent["properties"]) == {"subject", "body"} and set(sent["required"]) == {"subject", "body"}
    assert set(components[answer.rsplit("/", 1)[1]]["properties"]) == {
        "message",
        "status",
        "to",
        "subject",
        "activity",
    }
    assert {"400", "403", "404", "409"} <= set(operation["responses"])
