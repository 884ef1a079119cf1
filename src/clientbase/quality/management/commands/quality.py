"""`clientbase quality [--customer ID] [--rule NAME] [--severity LEVEL] [--format table|json]
[--user USERNAME]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase import access
from clientbase.acting import acting_user
from clientbase.customers.models import Customer
from clientbase.quality import selectors
from clientbase.quality.rules import RULE_NAMES, Severity

PAGE = 500


class Command(BaseCommand):
    help = (
        "Print the data-quality report: how many objects break each rule, then every finding (rule, "
        "severity, object, message, the page that fixes it). Runs as --user, by default as the first "
        "active superuser, and shows what that user may see."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customer", help="Only this customer's findings (id or number C-000042).")
        parser.add_argument("--rule", choices=list(RULE_NAMES), help="Only this rule's findings.")
        parser.add_argument(
            "--severity", choices=list(Severity.values), help="Only findings of this severity."
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--user", help="The username the report runs as (default: the first active superuser)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        customer = self._customer(user, options["customer"])
        rules = selectors.visible_rules(user, rule=options["rule"], severity=options["severity"])
        counted = selectors.counts(user, rules, customer=customer)
        findings = []
        cursor = ""
        while True:
            page = selectors.findings_page(user, rules, cursor=cursor, size=PAGE, customer=customer)
            findings += [finding.as_dict() for finding in page.findings]
            if page.next is None:
                break
            cursor = page.next
        if options["format"] == "json":
            summary = [
                {
                    "rule": rule.name,
                    "severity": rule.severity,
                    "label": rule.label,
                    "count": counted[rule.name],
                }
                for rule in rules
            ]
            self.stdout.write(
                json.dumps({"rules": summary, "findings": findings}, indent=2, ensure_ascii=False)
            )
            return
        width = max((len(rule.label) for rule in rules), default=10)
        self.stdout.write(f"{'Rule':<{width}}  {'Severity':<8}  {'Count':>7}")
        for rule in rules:
            self.stdout.write(f"{rule.label:<{width}}  {rule.severity:<8}  {counted[rule.name]:>7,}")
        if not findings:
            self.stdout.write("\nNo findings: every rule holds.")
            return
        self.stdout.write("")
        for finding in findings:
            target = finding["object"]
            self.stdout.write(
                f"{finding['severity'].upper():<7}  {finding['rule']}  {target['type']} {target['id']} "
                f"“{target['name']}”: {finding['message']}  ({finding['fix_url']})"
            )

    @staticmethod
    def _customer(user: Any, value: str | None) -> int | None:
        if not value:
            return None
        queryset = access.restrict(user, Customer.objects.all(), access.VIEW)
        found = (queryset.filter(pk=int(value)) if value.isdigit() else queryset.filter(number=value)).first()
        if found is None:
            raise CommandError(f"No customer {value} that this user may see.")
        return found.pk
