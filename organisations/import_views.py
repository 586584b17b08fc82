"""A platform admin onboards a directory from a file: a dry run that shows every row's effect and
errors, then the import itself (see ``onboarding``)."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations import hsds_import, onboarding
from organisations.exceptions import ValidationFailed
from organisations.models import Organisation, Service

SALT = "organisations.onboarding"
MAX_AGE = 3600  # a dry run is imported within the hour, or checked again
MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A spreadsheet (CSV in UTF-8, or XLSX) with the template's columns, or an Open "
            "Referral HSDS data package (ZIP)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.zip"}),
    )


ACTIONS = {
    "create": gettext_lazy("new"),
    "update": gettext_lazy("changed"),
    "unchanged": gettext_lazy("no change"),
    "same": gettext_lazy("as above"),
}


def _fields(model, values: dict) -> list[tuple[str, str]]:
    labels = onboarding.field_labels(model)
    shown = []
    for name, value in values.items():
        if name == "name":
            continue
        if isinstance(value, bool):
            text = _("yes") if value else _("no")
        elif isinstance(value, list):
            text = ", ".join(value)
        else:
            text = str(value)
        shown.append((str(labels.get(name, name)), text))
    return shown


def _display(plan: onboarding.Plan) -> list[dict]:
    """Each row as the page shows it: what happens to its organisation and service, in words."""
    return [
        {
            "number": row.number,
            "organisation": row.organisation.label,
            "organisation_action": ACTIONS[row.organisation.action],
            "organisation_fields": _fields(Organisation, row.organisation.fields)
            if row.organisation.action in ("create", "update")
            else [],
            "service": row.service.label if row.service else "",
            "service_action": ACTIONS[row.service.action] if row.service else "",
            "service_fields": _fields(Service, row.service.fields)
            if row.service and row.service.action in ("create", "update")
            else [],
            "invitations": row.invitations,
            "promotions": row.promotions,
            "errors": row.errors,
            "changes": row.organisation.action in ("create", "update")
            or bool(row.service and row.service.action in ("create", "update"))
            or bool(row.invitations or row.promotions),
        }
        for row in plan.rows
    ]


def _platform_admin(request: HttpRequest) -> None:
    if not (request.user.is_active and request.user.is_superuser):
        raise Http404


def _rows(upload) -> list[dict[str, str]]:
    if upload.size > MAX_UPLOAD:
        raise onboarding.UnreadableFile(_("The file is larger than 10 MB."), field="file")
    content = upload.read()
    if upload.name.lower().endswith(".zip"):
        return hsds_import.read_datapackage(content)
    return onboarding.read_spreadsheet(upload.name, content)


@login_required
def directory_import(request: HttpRequest) -> HttpResponse:
    """Check a file (nothing written), then import what was checked."""
    _platform_admin(request)
    form = ImportForm()
    if request.method == "POST" and "payload" in request.POST:
        try:
            rows = signing.loads(request.POST["payload"], salt=SALT, max_age=MAX_AGE)
            checked, result = onboarding.apply(rows, actor=request.user)
        except signing.BadSignature:
            messages.error(request, _("This check is too old: choose the file again."))
            return redirect("organisations:import")
        except ValidationFailed as error:
            messages.error(request, str(error.message))
            return redirect("organisations:import")
        messages.success(
            request,
            _(
                "Imported: %(orgs)s organisations created and %(changed)s changed, %(services)s "
                "services created and %(services_changed)s changed, %(invited)s admins invited."
            )
            % {
                "orgs": result.organisations_created,
                "changed": result.organisations_updated,
                "services": result.services_created,
                "services_changed": result.services_updated,
                "invited": len(result.invited),
            },
        )
        return redirect("organisations:list")
    checked = payload = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = _rows(form.cleaned_data["file"])
            except ValidationFailed as error:
                form.add_error("file", str(error.message))
            else:
                checked = onboarding.plan(rows)
                if checked.valid:
                    payload = signing.dumps(rows, salt=SALT, compress=True)
    return render(
        request,
        "organisations/import.html",
        {
            "form": form,
            "plan": checked,
            "rows": _display(checked) if checked else [],
            "summary": {
                "organisations_created": checked.count("organisation", "create"),
                "organisations_changed": checked.count("organisation", "update"),
                "services_created": checked.count("service", "create"),
                "services_changed": checked.count("service", "update"),
            }
            if checked
            else {},
            "payload": payload,
            "columns": onboarding.COLUMNS,
        },
        status=400 if request.method == "POST" and not payload else 200,
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The spreadsheet's columns, with one example row (CSV, UTF-8 with a BOM for Excel)."""
    _platform_admin(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(onboarding.COLUMNS)
    writer.writerow(onboarding.EXAMPLE)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="relais-directory-template.csv"'
    return response
