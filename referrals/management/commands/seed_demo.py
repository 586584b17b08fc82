"""Load the demo world of DESIGN.md. Idempotent; refused outside DEBUG unless --force."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from coordination import demo as coordination_demo
from organisations import demo as organisations_demo
from referrals import demo as referrals_demo
from referrals import demo_history


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisations, users, services, coordination group and cases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo users share a published password).",
        )

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password: it runs only with DEBUG on, "
                "or with --force."
            )
        with transaction.atomic():
            organisations = organisations_demo.seed()
            coordination_demo.seed(organisations)
            referrals_demo.seed(organisations)
            demo_history.seed(organisations)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo world ready: {len(organisations)} organisations; every demo user "
                f"(muni.staff, cso1.worker, ..., admin) signs in with "
                f"{organisations_demo.DEMO_PASSWORD}."
            )
        )
