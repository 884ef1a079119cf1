"""The staff dashboard of data quality (`/quality/`: how many objects break each rule, the
completeness of the customers on the page, the findings a page at a time, filtered by rule,
severity and customer) and the findings sections of the customer and contact pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import urlencode

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.contacts.duplicates import duplicate_pairs
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.keyset import BadCursor
from clientbase.pages import StaffPage
from clientbase.quality import selectors
from clientbase.quality.rules import BY_NAME, Severity

PAGE_SIZE = 50
SECTION_SIZE = 10


class QualityPage(StaffPage):
    """`/quality/?rule=&severity=&customer=&cursor=`: counts per rule (each a link to its findings),
    then the findings. A customer the user may not see is a 404, as everywhere."""

    section = "quality"
    model = Customer
    template_name = "quality/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        rule = params.get("rule") if params.get("rule") in BY_NAME else None
        severity = params.get("severity") if params.get("severity") in Severity.values else None
        customer = None
        if params.get("customer"):
            found = parse_id(params["customer"])
            customer = access.fetch(self.user, Customer.objects.all(), found if found is not None else 0)
        customer_id = customer.pk if customer is not None else None
        every_rule = selectors.visible_rules(self.user)
        counted = selectors.counts(self.user, every_rule, customer=customer_id)
        shown = selectors.visible_rules(self.user, rule=rule, severity=severity)
        try:
            page = selectors.findings_page(
                self.user, shown, cursor=params.get("cursor", ""), size=PAGE_SIZE, customer=customer_id
            )
        except BadCursor:
            page = selectors.findings_page(self.user, shown, size=PAGE_SIZE, customer=customer_id)
        filters = {key: value for key, value in (("rule", rule), ("severity", severity)) if value}
        if customer is not None:
            filters["customer"] = str(customer.pk)
        total = sum(counted.values())
        names, completeness = self._customers(page.findings)
        context.update(
            rules=[
                {
                    "rule": item,
                    "count": counted[item.name],
                    "share": round(100 * counted[item.name] / total) if total else 0,
                    "link": "?"
                    + urlencode({**{k: v for k, v in filters.items() if k == "customer"}, "rule": item.name}),
                }
                for item in every_rule
            ],
            total=total,
            selected={"rule": rule or "", "severity": severity or "", "customer": customer},
            severities=Severity.choices,
            findings=[
                {"finding": finding, "customer_name": names.get(finding.customer_id or 0, "")}
                for finding in page.findings
            ],
            completeness=completeness,
            page={
                "has_next": page.next is not None,
                "has_previous": page.previous is not None,
                "next_url": "?" + urlencode({**filters, "cursor": page.next}) if page.next else "",
                "previous_url": "?" + urlencode({**filters, "cursor": page.previous})
                if page.previous
                else "",
                "number": 0,
            },
        )
        return context

    def _customers(self, findings: list[selectors.Finding]) -> tuple[dict[int, str], list[dict[str, Any]]]:
        """The names of the customers of the page's findings ({id: name}, one query), and their
        completeness: the share of the customer rules each passes (one query)."""
        ids = list(dict.fromkeys(f.customer_id for f in findings if f.customer_id is not None))
        names = dict(
            access.restrict(self.user, Customer.objects.filter(pk__in=ids), access.VIEW).values_list(
                "pk", "name"
            )
        )
        passed = selectors.completeness(self.user, [pk for pk in ids if pk in names])
        shares = [{"id": pk, "name": names[pk], "percent": passed[pk]} for pk in ids if pk in passed]
        return names, shares


def customer_findings_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The customer page's findings: its own and those of its locations, assets and contacts (the
    first SECTION_SIZE, with a link to the rest), and its likely duplicate contacts."""
    if not access.is_staff(request.user):
        return None
    rules = selectors.visible_rules(request.user)
    page = selectors.findings_page(request.user, rules, size=SECTION_SIZE, customer=customer.pk)
    pairs = duplicate_pairs(request.user, customer.pk, limit=SECTION_SIZE)
    return {
        "findings": page.findings,
        "more": page.next is not None,
        "all_link": f"?customer={customer.pk}",
        "pairs": pairs,
    }


def contact_findings_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """The contact page's findings about the contact itself."""
    if not access.is_staff(request.user):
        return None
    rules = [rule for rule in selectors.visible_rules(request.user) if rule.model is Contact]
    page = selectors.findings_page(request.user, rules, size=SECTION_SIZE, contact=contact.pk)
    return {"findings": page.findings, "more": False, "all_link": ""}
