"""`clientbase demo`: load the demo data set into an empty database and say how to log in."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clientbase.customers.models import Customer
from clientbase.demo import (
    FROM_ENVIRONMENT,
    PASSWORD_ENV,
    STAFF_USERS,
    DemoDataPresent,
    DemoResult,
    load_demo,
)
from clientbase.errors import ServiceError, ValidationFailed

DEFAULT_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Load a realistic demo data set (customers, locations, assets, parts, contacts and staff "
        "users) into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When the database already holds customers, say so and exit successfully.",
        )
        parser.add_argument(
            "--url",
            default=DEFAULT_URL,
            help=f"Where the server will answer, for the sign-in hint (default: {DEFAULT_URL}).",
        )
        parser.add_argument(
            "--password",
            help=f"The password of the demo staff users (default: ${PASSWORD_ENV}, else a generated one "
            "that is printed once).",
        )

    def handle(self, *args, **options):
        self.base_url = options["url"].rstrip("/")
        if options["password"] is not None and not options["password"].strip():
            raise CommandError("--password may not be empty.")
        if Customer.objects.exists():
            if options["if_empty"]:
                self._skip()
                return
        else:
            self.stdout.write("Loading the demo data set...")
        try:
            result = load_demo(stdout=self.stdout, admin_password=options["password"])
        except DemoDataPresent as error:
            if options["if_empty"]:  # another run loaded it meanwhile
                self._skip()
                return
            raise CommandError(f"{error.message} Use --if-empty to skip loading instead.") from error
        except ValidationFailed as error:
            raise CommandError(f"The demo data was refused, nothing was loaded: {error.errors}") from error
        except ServiceError as error:
            raise CommandError(error.message) from error
        self._report(result)

    def _skip(self) -> None:
        self.stdout.write("Demo data already loaded; skipping.")
        self.stdout.write(
            f"Log in at {self.base_url}/ as `{STAFF_USERS[0][0]}` with the password shown when the demo was "
            f"loaded (or ${PASSWORD_ENV}); change each user's with `clientbase changepassword USERNAME`."
        )

    def _report(self, result: DemoResult) -> None:
        counts = result.counts
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Loaded {counts['customers']} customers, {counts['locations']} locations, "
                f"{counts['assets']} assets, {counts['parts']} asset parts and "
                f"{counts['contacts']} contacts."
            )
        )
        write("")
        write(f"Log in at {self.base_url}/ (Django admin: {self.base_url}/admin/) when the server runs")
        write("(`make run` starts it; `clientbase run` alone). Staff users:")
        groups = {username: group for username, _, _, group in STAFF_USERS}
        for username in result.created_usernames:
            what = "superuser" if username == result.admin_username else f"group {groups[username]}"
            write(f"  {username:<12} {what}")
        if result.created_usernames:
            if result.password_source == FROM_ENVIRONMENT:
                write(f"Password (all of them): the value of ${PASSWORD_ENV}")
            else:
                write(f"Password (all of them): {result.password}")
            if result.password_generated:
                write(
                    self.style.WARNING(
                        "This generated password is shown only once; note it now, or change "
                        "each user's with `clientbase changepassword USERNAME`."
                    )
                )
        for username in result.existing_usernames:
            write(f"  {username:<12} already existed: left unchanged, its password was not reset")
