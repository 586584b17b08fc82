"""Onboarding by spreadsheet (issue 14): a platform admin imports organisations, services and
their admins' e-mail addresses from CSV, XLSX or an HSDS data package; a dry run first, nothing
written when a row is wrong, the same file twice changes nothing, invitations through the outbox."""

from __future__ import annotations

import csv
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from notifications.models import Delivery
from notifications.welcome import KIND as WELCOME
from organisations import hsds_import, onboarding
from organisations.exceptions import ValidationFailed
from organisations.models import Membership, Organisation, Role, Service
from tests.factories import OrganisationFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

CATEGORIES = ("food", "health", "legal_aid", "Emergency shelter")  # codes or English names


def city_rows(organisations: int = 50, per_organisation: int = 4) -> list[list[str]]:
    """50 organisations with 4 services each, every organisation column on every row."""
    rows = []
    for n in range(organisations):
        rows.extend(
            [
                f"Organisation {n:02d}",
                "cso" if n % 5 else "Municipality",
                "Sfax" if n % 2 else "Gabès",
                "",
                f"Rue {n} ",
                "3000",
                "Sfax",
                "+216 74 000 000",
                f"contact{n}@example.org",
                "",
                f"admin{n}@example.org" if k == 0 else "",
                f"Service {n}-{k}",
                CATEGORIES[k],
                "What it does.",
                "",
                "ar, fr",
                f"Area {n % 3}",
                "Mo-Fr 08:30-16:30; PH off",
                "An identity paper",
                "available",
                "yes" if k % 2 else "no",
                "no",
            ]
            for k in range(per_organisation)
        )
    return rows


def as_csv(rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(onboarding.COLUMNS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def welcomes() -> int:
    return Delivery.objects.filter(notification__kind=WELCOME).count()


def test_fifty_organisations_and_two_hundred_services_import_once_with_a_dry_run_first():
    rows = onboarding.read_spreadsheet("city.csv", as_csv(city_rows()))

    checked = onboarding.plan(rows)

    assert checked.valid, [r.errors for r in checked.rows if r.errors][:3]
    assert checked.count("organisation", "create") == 50
    assert checked.count("service", "create") == 200
    assert len(checked.invitations) == 50
    assert Organisation.objects.count() == 0  # the dry run wrote nothing
    assert welcomes() == 0

    _plan, result = onboarding.apply(rows, actor=None)

    assert (result.organisations_created, result.services_created) == (50, 200)
    assert Service.objects.count() == 200
    assert Membership.objects.filter(role=Role.ADMIN, is_active=True).count() == 50
    assert welcomes() == 50  # each new admin's invitation, through the outbox
    service = Service.objects.get(name="Service 7-3")
    assert (service.category, service.languages, service.city) == (
        "emergency_shelter",
        ["ar", "fr"],
        "Sfax",
    )
    assert (service.is_public, service.organisation.kind) == (True, "cso")
    assert Organisation.objects.get(name="Organisation 05").kind == "municipality"

    # The same file again: nothing to do, nothing done.
    stamps = dict(Service.objects.values_list("pk", "updated_at"))
    again = onboarding.plan(rows)
    assert again.valid
    assert {r.organisation.action for r in again.rows} == {"unchanged"}
    assert {r.service.action for r in again.rows} == {"unchanged"}
    assert again.invitations == []
    _plan, second = onboarding.apply(rows, actor=None)
    assert (second.organisations_created, second.organisations_updated) == (0, 0)
    assert (second.services_created, second.services_updated) == (0, 0)
    assert dict(Service.objects.values_list("pk", "updated_at")) == stamps
    assert welcomes() == 50


def test_a_changed_cell_is_one_change_and_an_empty_cell_changes_nothing():
    onboarding.apply(onboarding.read_spreadsheet("a.csv", as_csv(city_rows(2, 2))), actor=None)
    rows = city_rows(2, 2)
    rows[1][19] = "full"  # capacity of Service 0-1
    rows[2][4] = ""  # Organisation 01's address left empty: kept as it is

    checked = onboarding.plan(onboarding.read_spreadsheet("b.csv", as_csv(rows)))

    changed = [
        (r.number, r.service.label, r.service.fields)
        for r in checked.rows
        if r.service.action == "update"
    ]
    assert changed == [(3, "Service 0-1", {"capacity_status": "full"})]
    assert {r.organisation.action for r in checked.rows} == {"unchanged"}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (12, "spa", "is not a category"),
        (17, "Mon-Fri 9 to 5", "Mo-Fr 08:30-12:00"),
        (10, "not-an-address", "is not an e-mail address"),
        (21, "yes", "never public"),  # a public service at a confidential location
        (20, "perhaps", "write yes or no"),
        (1, "ministry", "is not a kind of organisation"),
    ],
)
def test_one_wrong_row_says_why_and_nothing_is_written(column, value, message):
    rows = city_rows(3, 2)
    rows[3][20] = "yes"
    rows[3][column] = value

    checked = onboarding.plan(onboarding.read_spreadsheet("bad.csv", as_csv(rows)))

    assert not checked.valid
    (wrong,) = [row for row in checked.rows if row.errors]
    assert wrong.number == 5  # line 5 of the file: the header, then rows 0-2
    assert message in " ".join(wrong.errors)
    with pytest.raises(ValidationFailed):
        onboarding.apply(onboarding.read_spreadsheet("bad.csv", as_csv(rows)), actor=None)
    assert Organisation.objects.count() == 0
    assert welcomes() == 0


def test_a_new_organisation_needs_its_city_and_says_the_same_on_every_row():
    rows = city_rows(1, 2)
    rows[0][2] = rows[1][2] = ""
    rows[1][8] = "other@example.org"

    checked = onboarding.plan(onboarding.read_spreadsheet("bad.csv", as_csv(rows)))

    errors = {row.number: " ".join(row.errors) for row in checked.rows if row.errors}
    assert "city" in errors[2].lower()
    assert "differs from an earlier row" in errors[3]


def test_errors_are_written_in_the_admins_language():
    rows = city_rows(1, 1)
    rows[0][12] = "spa"
    with translation.override("fr"):
        checked = onboarding.plan(onboarding.read_spreadsheet("bad.csv", as_csv(rows)))
    assert "n’est pas une catégorie" in " ".join(checked.rows[0].errors)


def test_excel_and_semicolon_csv_with_a_bom_read_the_same():
    rows = city_rows(2, 2)
    book = tablib.Dataset(*rows, headers=list(onboarding.COLUMNS))

    from_xlsx = onboarding.read_spreadsheet("city.xlsx", book.export("xlsx"))
    from_csv = onboarding.read_spreadsheet("city.csv", as_csv(rows, delimiter=";", bom=True))

    assert from_xlsx == from_csv == onboarding.read_spreadsheet("c.csv", as_csv(rows))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("city.csv", b"\xff\xfe not utf-8"),
        ("city.xlsx", b"not a workbook"),
        ("city.csv", b"a,b\n1,2\n"),
    ],
)
def test_an_unreadable_file_is_a_clear_error(name, content):
    with pytest.raises(onboarding.UnreadableFile):
        onboarding.read_spreadsheet(name, content)


def test_an_existing_member_named_as_admin_becomes_one_and_an_existing_admin_is_left_alone():
    organisation = OrganisationFactory(name="Organisation 00", city="Gabès")
    member = UserFactory(email="admin0@example.org")
    Membership.objects.create(organisation=organisation, user=member, role=Role.CASEWORKER)
    rows = city_rows(1, 1)

    checked = onboarding.plan(onboarding.read_spreadsheet("a.csv", as_csv(rows)))
    onboarding.apply(onboarding.read_spreadsheet("a.csv", as_csv(rows)), actor=None)

    assert checked.rows[0].promotions == ["admin0@example.org"]
    assert checked.invitations == []
    assert Membership.objects.get(user=member).role == Role.ADMIN
    assert (
        onboarding.plan(onboarding.read_spreadsheet("a.csv", as_csv(rows))).rows[0].promotions == []
    )


def test_an_hsds_data_package_round_trips():
    legal = OrganisationFactory(
        name="Legal Aid Sfax",
        address="12 rue de Tunis",
        postal_code="3000",
        region="Sfax",
        phone="+216 1",
    )
    ServiceFactory(
        organisation=legal,
        name="Legal counselling",
        category="legal_aid",
        languages=["ar", "fr"],
        area_served="Medina",
        opening_hours="Mo-Fr 08:30-16:30; PH off",
        what_to_bring="Passport\nThe letter",
        capacity_status="waiting_list",
        is_public=True,
    )
    package = Client().get("/api/hsds/datapackage.zip").content
    Organisation.objects.all().delete()

    rows = hsds_import.read_datapackage(package)
    onboarding.apply(rows, actor=None)

    service = Service.objects.get()
    assert (
        service.organisation.name,
        service.organisation.address,
        service.organisation.postal_code,
    ) == (
        "Legal Aid Sfax",
        "12 rue de Tunis",
        "3000",
    )
    assert (service.category, service.languages, service.area_served) == (
        "legal_aid",
        ["ar", "fr"],
        "Medina",
    )
    assert (service.opening_hours, service.what_to_bring) == (
        "Mo-Fr 08:30-16:30; PH off",
        "Passport\nThe letter",
    )
    assert (service.capacity_status, service.is_public, service.organisation.kind) == (
        "waiting_list",
        True,
        "other",
    )
    again = onboarding.plan(hsds_import.read_datapackage(package))
    assert {r.service.action for r in again.rows} == {"unchanged"}
    assert {r.organisation.action for r in again.rows} == {"unchanged"}


def test_a_file_that_is_not_a_data_package_is_a_clear_error():
    with pytest.raises(onboarding.UnreadableFile):
        hsds_import.read_datapackage(b"PK not really a zip")


def test_the_import_page_checks_then_imports_for_a_platform_admin_only():
    admin = UserFactory(is_superuser=True, is_staff=True)
    caseworker = UserFactory()
    upload = SimpleUploadedFile("city.csv", as_csv(city_rows(2, 2)), content_type="text/csv")
    browser, outsider = Client(), Client()
    browser.force_login(admin)
    outsider.force_login(caseworker)

    assert outsider.get("/organisations/import/").status_code == 404
    checked = browser.post("/organisations/import/", {"file": upload})
    assert checked.status_code == 200
    assert Organisation.objects.count() == 0
    payload = checked.context["payload"]
    assert outsider.post("/organisations/import/", {"payload": payload}).status_code == 404
    done = browser.post("/organisations/import/", {"payload": payload})

    assert done.status_code == 302
    assert Organisation.objects.count() == 2
    assert Service.objects.count() == 4
    assert browser.post("/organisations/import/", {"payload": payload + "x"}).status_code == 302
    template = browser.get("/organisations/import/template.csv")
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(onboarding.COLUMNS)
    assert onboarding.plan(onboarding.read_spreadsheet("t.csv", template.content)).valid


def test_a_wrong_file_on_the_page_shows_every_error_and_offers_no_import():
    admin = UserFactory(is_superuser=True, is_staff=True)
    rows = city_rows(2, 1)
    rows[1][12] = "spa"
    browser = Client()
    browser.force_login(admin)

    response = browser.post(
        "/organisations/import/", {"file": SimpleUploadedFile("bad.csv", as_csv(rows))}
    )

    assert response.status_code == 400
    assert response.context["payload"] is None
    assert "is not a category" in response.content.decode()


def test_the_command_checks_and_imports(tmp_path, capsys):
    path = tmp_path / "city.csv"
    path.write_bytes(as_csv(city_rows(3, 2)))

    call_command("import_directory", str(path), "--dry-run")
    assert Organisation.objects.count() == 0
    call_command("import_directory", str(path))

    assert Organisation.objects.count() == 3
    assert "3 organisations created" in capsys.readouterr().out
    assert welcomes() == 3


def test_a_plan_reads_the_directory_in_as_many_queries_whatever_the_rows():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    onboarding.apply(onboarding.read_spreadsheet("a.csv", as_csv(city_rows(12, 4))), actor=None)

    def queries(organisations: int) -> int:
        rows = onboarding.read_spreadsheet("b.csv", as_csv(city_rows(organisations, 4)))
        with CaptureQueriesContext(connection) as captured:
            onboarding.plan(rows)
        return len(captured)

    assert queries(2) == queries(12) <= 6
