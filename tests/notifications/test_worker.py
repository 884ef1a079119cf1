"""`clientbase worker`: `--once`, the offline mode, and the whole path end to end: a work order
created through the API, the worker running as its own process, a real SMTP server that is down
at first. What arrives is exactly what the preview listed; the outage only delays it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from clientbase.notifications.models import Message
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.notifications.factories import MessageFactory

CLIENTBASE = str(Path(sys.executable).with_name("clientbase"))


def run_worker(*args: str) -> str:
    out = io.StringIO()
    call_command("worker", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_once_without_email_host_keeps_messages_in_the_outbox(settings):
    settings.EMAIL_HOST = ""
    MessageFactory()
    assert "EMAIL_HOST is not set" in run_worker("--once")
    assert Message.objects.get().status == "pending"


@pytest.mark.django_db
def test_once_delivers_what_is_due_and_exits(smtp_server):
    MessageFactory.create_batch(3)
    assert "Outbox: 3 sent." in run_worker("--once")
    assert len(smtp_server.received) == 3
    assert "nothing due" in run_worker("--once")


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db["PASSWORD"] else user
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_work_order_reaches_exactly_the_previewed_recipients_through_an_outage(
    api, dispatcher, smtp, tmp_path
):
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus")
    south = LocationFactory(customer=customer, name="South Campus")
    ContactFactory(
        customer=customer,
        email="mike@northwind.example",
        role_site=True,
        notify_work_orders=True,
        locations=[north],
    )
    ContactFactory(customer=customer, email="facilities@northwind.example", notify_work_orders=True)
    ContactFactory(
        customer=customer, email="south@northwind.example", notify_work_orders=True, locations=[south]
    )
    ContactFactory(
        customer=customer, email="gone@northwind.example", notify_work_orders=True, email_status="bounced"
    )
    ContactFactory(customer=customer, email="ap@northwind.example", notify_invoices=True, is_primary=True)
    client = api(dispatcher)
    preview = client.get(
        "/api/v1/notifications/preview/",
        {"event": "work_order.created", "customer": customer.pk, "location": north.pk},
    ).json()
    expected = sorted(recipient["email"] for recipient in preview["recipients"])
    assert expected == ["facilities@northwind.example", "mike@northwind.example"]

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "5",
        "CLIENTBASE_MAIL_RETRY_BASE": "0.2",
        "CLIENTBASE_MAIL_RETRY_MAX": "0.5",
        "CLIENTBASE_VAR_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(  # the SMTP server is not listening yet: an outage
        [CLIENTBASE, "worker", "--interval", "0.1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        created = client.post(
            "/api/v1/work-orders/",
            {"customer": customer.pk, "location": north.pk, "summary": "Chiller alarm"},
            format="json",
        )
        assert created.status_code == 201
        assert wait_for(lambda: Message.objects.filter(attempts__gte=2, status="pending").count() == 2)
        assert smtp.received == []
        smtp.start()  # the outage ends
        assert wait_for(lambda: Message.objects.filter(status="sent").count() == 2)
        time.sleep(0.5)  # nothing more arrives
        delivered = sorted(email["To"].addresses[0].addr_spec for email in smtp.received)
        assert delivered == expected
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    assert worker.returncode == 0, output.decode()
    assert b"Traceback" not in output
