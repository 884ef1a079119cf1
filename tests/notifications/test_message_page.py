"""The outbox's message page (`/outbox/<id>/`) shows the text of a mail readable: long lines wrap
(the stylesheet's rule of its `pre`), web addresses in it are links that can be followed (escaped,
`rel="noopener noreferrer"`), and a secret link is never one: it shows as its placeholder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from clientbase import groups
from clientbase.notifications import services
from clientbase.notifications.views import linked_text
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db
STYLESHEET = Path(settings.BASE_DIR) / "static" / "clientbase" / "app.css"
VERIFY_PLACEHOLDER = "[e-mail verification link, sent only in the mail]"


@pytest.fixture
def administrator(client, db):
    client.force_login(UserFactory(username="boss", groups=[groups.ADMINISTRATOR]))
    return client


@pytest.fixture
def ann(db):
    return ContactFactory(
        customer=CustomerFactory(name="Northwind Hospitals"),
        first_name="Ann",
        last_name="Lee",
        email="ann.lee@northwind.example",
    )


def mail_text(html: str) -> str:
    """The `<pre>` that shows the text of the mail on the message page."""
    return re.search(r'<pre class="notes">(.*?)</pre>', html, re.DOTALL).group(1)


def test_long_lines_of_the_text_wrap():
    """The text keeps its line breaks and wraps lines (and words) wider than the page."""
    rules = {
        selector.strip(): body
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", STYLESHEET.read_text(encoding="utf-8"))
    }
    declarations = {part.strip() for part in rules["pre.notes"].split(";") if part.strip()}
    assert {"white-space: pre-wrap", "overflow-wrap: anywhere"} <= declarations


def test_the_text_is_shown_in_the_wrapping_pre_with_its_links_followable(administrator, dispatcher, ann):
    long_word = "x" * 300
    activity = services.send_email(
        acting_user=dispatcher,
        contact=ann,
        subject="Plans",
        body=(
            f"The plan: https://northwind.example/plans?site=4&floor=2.\n{long_word}\n"
            "<script>alert(1)</script> (see http://docs.northwind.example/a_(b))"
        ),
    )

    page = administrator.get(f"/outbox/{activity.message_id}/")

    assert page.status_code == 200
    shown = mail_text(page.content.decode())
    assert (
        'The plan: <a href="https://northwind.example/plans?site=4&amp;floor=2" rel="noopener noreferrer">'
        "https://northwind.example/plans?site=4&amp;floor=2</a>.\n" in shown
    )
    assert long_word in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>" not in shown
    assert (
        '(see <a href="http://docs.northwind.example/a_(b)" rel="noopener noreferrer">'
        "http://docs.northwind.example/a_(b)</a>)" in shown
    )


def test_a_secret_link_is_never_a_link_on_the_page(administrator, dispatcher, ann):
    message = services.send_test_email(contact=ann, acting_user=dispatcher, base_url="http://testserver/")

    shown = mail_text(administrator.get(f"/outbox/{message.pk}/").content.decode())

    assert VERIFY_PLACEHOLDER in shown
    assert "/mail/verify/" not in shown and "<a " not in shown


def test_a_secret_link_stored_as_text_by_an_older_version_is_masked_not_linked(administrator, ann):
    legacy = "http://testserver/mail/verify/eyJjb250YWN0IjoxfQ:1tXyZ:abcdef/"
    message = MessageFactory(
        contact=ann,
        event="contact.email",
        context={
            "facts": {"subject": "Old", "body": f"Open {legacy} now, or https://northwind.example/help"}
        },
    )

    shown = mail_text(administrator.get(f"/outbox/{message.pk}/").content.decode())

    assert f"Open {VERIFY_PLACEHOLDER} now" in shown
    assert "/mail/verify/" not in shown
    assert '<a href="https://northwind.example/help" rel="noopener noreferrer">' in shown


def test_staff_who_may_not_read_bodies_see_no_text(client, dispatcher, ann):
    activity = services.send_email(
        acting_user=dispatcher, contact=ann, subject="Plans", body="See https://northwind.example/x"
    )
    client.force_login(dispatcher)
    page = client.get(f"/outbox/{activity.message_id}/").content.decode()
    assert "Only administrators read the body of a message." in page
    assert "northwind.example/x" not in page and '<pre class="notes">' not in page
    assert "E-mail written by staff" in page  # the event, by its label


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain & simple", "plain &amp; simple"),
        (
            "https://a.example/x, then",
            '<a href="https://a.example/x" rel="noopener noreferrer">https://a.example/x</a>, then',
        ),
        (
            "HTTP://A.EXAMPLE/?q=1;",
            '<a href="HTTP://A.EXAMPLE/?q=1" rel="noopener noreferrer">HTTP://A.EXAMPLE/?q=1</a>;',
        ),
        ("javascript:alert(1) and ftp://files.example/", "javascript:alert(1) and ftp://files.example/"),
        (
            'x"https://a.example/"onmouseover=1',
            'x&quot;<a href="https://a.example/" rel="noopener noreferrer">https://a.example/</a>'
            "&quot;onmouseover=1",
        ),
        ("https://...", "https://..."),
        (
            "[https://a.example/b]",
            '[<a href="https://a.example/b" rel="noopener noreferrer">https://a.example/b</a>]',
        ),
    ],
)
def test_linked_text(text, html):
    assert linked_text(text) == html


def test_linked_text_never_links_a_secret_link(ann):
    text = "Confirm at http://testserver/mail/verify/TOKEN123/ please"
    assert linked_text(text) == f"Confirm at {VERIFY_PLACEHOLDER} please"
