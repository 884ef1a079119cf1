"""E-mail from the record is capped per writer and hour (CLIENTBASE_SEND_EMAIL_PER_HOUR): a leaked
token cannot flood the customers through the company's mail server. The cap refuses with 429 and
Retry-After, nothing queued; an hour later, or with the cap at 0, it is allowed again."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.notifications.models import Activity, Message
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
HELLO = {"subject": "Your visit on Monday", "body": "We come at nine."}


@pytest.fixture
def ann(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    return ContactFactory(
        customer=customer, first_name="Ann", last_name="Lee", email="ann.lee@northwind.example"
    )


def url_of(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}/send-email/"


def test_the_hourly_cap_refuses_with_429_and_nothing_is_queued(
    api, dispatcher, accounts_clerk, ann, settings
):
    settings.CLIENTBASE_SEND_EMAIL_PER_HOUR = 2
    client = api(dispatcher)
    assert [client.post(url_of(ann), HELLO, format="json").status_code for _ in range(2)] == [202, 202]
    with assert_unchanged(Message, Activity, Contact):
        refused = client.post(url_of(ann), HELLO, format="json")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You wrote 2 e-mails within the last hour, the most allowed")
    assert 3000 < int(refused["Retry-After"]) <= 3600
    # The cap is the writer's: another user still writes.
    assert api(accounts_clerk).post(url_of(ann), HELLO, format="json").status_code == 202
    # An hour later the oldest no longer counts.
    Activity.objects.filter(user=dispatcher).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert client.post(url_of(ann), HELLO, format="json").status_code == 202
    settings.CLIENTBASE_SEND_EMAIL_PER_HOUR = 0  # no cap
    assert [client.post(url_of(ann), HELLO, format="json").status_code for _ in range(3)] == [202] * 3


def test_the_compose_page_says_when_to_try_again(dispatcher, ann, settings):
    settings.CLIENTBASE_SEND_EMAIL_PER_HOUR = 1
    client = Client()
    client.force_login(dispatcher)
    page = f"/contacts/{ann.pk}/send-email/"
    form = {**HELLO, "to": ann.email}
    assert client.post(page, form).status_code == 302
    with assert_unchanged(Message, Activity):
        refused = client.post(page, form)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "You wrote 1 e-mail within the last hour, the most allowed; nothing was sent." in text
    assert "Your visit on Monday" in text  # what was typed is kept
