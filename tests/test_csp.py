"""The Content Security Policy: on every page (staff, portal, API docs, admin), scripts and styles
only from this site's files; and no template relies on what it refuses (inline script, inline
event handlers, inline styles). The browser's view of it: tests/browser/test_csp.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import clientbase
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
MAIL_FRAME_POLICY = {
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "data:",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'self'",
    "sandbox": "",
}
PORTAL_BACKEND = "clientbase.portal.backends.PortalBackend"
TEMPLATE_ROOT = Path(clientbase.__file__).parent
# Mails are not pages: an e-mail client shows them, with inline styles (the outbox shows them in
# a sandboxed frame with a policy of its own).
MAIL_TEMPLATES = "/templates/notifications/mail/"


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = [part.strip() for part in header.split(";") if part.strip()]
    return {part.split(" ", 1)[0]: (part.split(" ", 1)[1] if " " in part else "") for part in parts}


@pytest.fixture
def staff(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def portal() -> Client:
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(
        customer=customer, email="rita@northwind.example", portal_enabled=True, portal_permissions=["admin"]
    )
    user = UserFactory(username="rita@northwind.example", email=contact.email, is_staff=False)
    contact.user = user
    contact.save(update_fields=["user"])
    client = Client()
    client.force_login(user, backend=PORTAL_BACKEND)
    return client


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("anonymous", "/accounts/login/"),
        ("staff", "/"),
        ("staff", "/contacts/"),
        ("staff", "/outbox/"),
        ("staff", "/accounts/password/"),
        ("anonymous", "/portal/login/"),
        ("anonymous", "/portal/password-reset/"),
        ("portal", "/portal/"),
        ("portal", "/portal/contacts/"),
        ("portal", "/portal/reports/"),
        ("staff", "/api/docs/"),
        ("staff", "/api/v1/customers/"),
        ("anonymous", "/admin/login/"),
        ("staff", "/admin/"),
        ("staff", "/admin/notifications/message/"),
        ("anonymous", "/mail/verify/not-a-token/"),
    ],
)
def test_every_page_carries_the_policy(request, who, url):
    client = Client() if who == "anonymous" else request.getfixturevalue(who)
    response = client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    assert policy_of(response) == POLICY
    assert response["X-Frame-Options"] == "DENY"


def test_the_api_docs_need_no_inline_script(staff):
    page = staff.get("/api/docs/")
    html = page.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "Swagger UI is loaded"
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert "<style" not in html
    start_up = staff.get("/api/docs/?script=")
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in start_up.content.decode()


def test_the_browsable_api_allows_inline_styles_never_scripts(staff):
    response = staff.get("/api/v1/customers/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert policy_of(response) == {**POLICY, "style-src": "'self' 'unsafe-inline'"}
    assert policy_of(staff.get("/api/v1/customers/")) == POLICY  # JSON: the policy as everywhere


def test_the_mail_frame_has_a_policy_of_its_own(staff):
    message = MessageFactory()
    response = staff.get(f"/outbox/{message.pk}/html/")
    assert response.status_code == 200
    assert policy_of(response) == MAIL_FRAME_POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # The page that frames it: the page's own policy, no srcdoc (it would inherit that policy).
    page = staff.get(f"/outbox/{message.pk}/")
    assert policy_of(page) == POLICY
    assert (
        f'<iframe class="mail-frame" title="The HTML part of the mail" sandbox src="/outbox/{message.pk}/html/">'
        in (page.content.decode())
    )


def page_templates() -> list[Path]:
    return sorted(
        path for path in TEMPLATE_ROOT.rglob("templates/**/*.html") if MAIL_TEMPLATES not in path.as_posix()
    )


def test_no_page_template_relies_on_what_the_policy_refuses():
    """No inline <script>, no inline event handler (onclick=...), no javascript: URL, no inline
    style attribute or <style> block, in any template of a page (staff, portal, registration)."""
    templates = page_templates()
    assert len(templates) > 50
    offences = []
    for path in templates:
        text = path.read_text()
        for pattern, what in (
            (r"<script(?![^>]*\bsrc=)[^>]*>", "inline script"),
            (r"\son[a-z]+\s*=", "inline event handler"),
            (r"javascript:", "javascript: URL"),
            (r"\sstyle\s*=", "style attribute"),
            (r"<style\b", "style block"),
        ):
            if re.search(pattern, text, flags=re.I):
                offences.append(f"{path.relative_to(TEMPLATE_ROOT)}: {what}")
    assert offences == []
