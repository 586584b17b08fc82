"""``manage.py import_directory FILE [--dry-run]``: the import page's check and import, for an
operator (a CSV or XLSX spreadsheet, or an HSDS data package ZIP)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisations import hsds_import, onboarding
from organisations.exceptions import ValidationFailed


class Command(BaseCommand):
    help = "Import organisations, services and admins' e-mail addresses from a file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            content = file.read_bytes()
            rows = (
                hsds_import.read_datapackage(content)
                if file.suffix.lower() == ".zip"
                else onboarding.read_spreadsheet(file.name, content)
            )
        except (OSError, ValidationFailed) as error:
            raise CommandError(str(getattr(error, "message", error))) from None
        checked = onboarding.plan(rows)
        for error in checked.errors:
            self.stderr.write(error)
        for row in checked.rows:
            for error in row.errors:
                self.stderr.write(f"line {row.number}: {error}")
        self.stdout.write(
            f"organisations: {checked.count('organisation', 'create')} new, "
            f"{checked.count('organisation', 'update')} changed; services: "
            f"{checked.count('service', 'create')} new, {checked.count('service', 'update')} "
            f"changed; {len(checked.invitations)} admins to invite"
        )
        if not checked.valid:
            raise CommandError("Nothing was imported: correct the lines above.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        _plan, result = onboarding.apply(rows, actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.organisations_created} organisations created, "
                f"{result.organisations_updated} changed; {result.services_created} services "
                f"created, {result.services_updated} changed; {len(result.invited)} admins invited."
            )
        )
