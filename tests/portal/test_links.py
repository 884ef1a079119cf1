"""Links in mails queued outside a request point where the site answers."""

from __future__ import annotations

from clientbase.portal import links


def test_outside_a_request_links_follow_the_served_port_and_https(settings, monkeypatch):
    settings.CLIENTBASE_PORTAL_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.CLIENTBASE_HTTPS = False
    monkeypatch.setenv("CLIENTBASE_PORT", "8123")
    assert links.base_url() == "http://127.0.0.1:8123"
    monkeypatch.delenv("CLIENTBASE_PORT")
    assert links.base_url() == "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["crm.example.com"]
    settings.CLIENTBASE_HTTPS = True
    assert links.base_url() == "https://crm.example.com"
    settings.CLIENTBASE_PORTAL_BASE_URL = "https://service.example.com/"
    assert links.absolute("/portal/") == "https://service.example.com/portal/"
