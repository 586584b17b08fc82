"""Fill the database with a city at load-test scale (issue 13); refused outside DEBUG unless
--force. Use a throwaway database: every load user shares one password."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from referrals import loadgen


class Command(BaseCommand):
    help = "Write organisations, users, cases, referrals (with permissions) and meetings in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisations", type=int, default=200)
        parser.add_argument("--users", type=int, default=2000)
        parser.add_argument("--referrals", type=int, default=1_000_000)
        parser.add_argument("--meetings", type=int, default=100_000)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="A database that holds a load city already is kept as it is (for benchmarks).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the load users share a published password).",
        )

    def handle(
        self, *args: object, force: bool = False, reuse: bool = False, **options: int
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_load creates users with a published password: it runs only with DEBUG on, "
                "or with --force, on a throwaway database."
            )
        if options["organisations"] < 2:
            raise CommandError("--organisations: at least 2 (a municipality and a CSO).")
        if loadgen.Organisation.objects.filter(name="Load municipality").exists():
            if reuse:
                self.stdout.write("This database holds a load city already: kept.")
                return
            raise CommandError("This database already holds a load city: start from an empty one.")
        loaded = loadgen.build(
            organisations=options["organisations"],
            users=options["users"],
            referrals=options["referrals"],
            meetings=options["meetings"],
            say=lambda line: self.stdout.write(f"  {line}") if options["verbosity"] else None,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {loaded.organisations} organisations, {loaded.users} users, "
                f"{loaded.cases} cases, {loaded.referrals} referrals and {loaded.meetings} "
                f"meetings in {loaded.seconds:.0f} s. Every load user's password: "
                f"{loadgen.PASSWORD}"
            )
        )
