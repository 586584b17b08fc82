"""Pages of two-factor sign-in: set up, prove, renew backup codes, turn off."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from organisations import two_factor
from organisations.middleware import forget_two_factor_need


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "two_factor/overview.html",
        {
            "enabled": two_factor.is_enabled(request.user),
            "required": two_factor.is_required(request.user),
        },
    )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then prove it with a code."""
    if two_factor.is_enabled(request.user) and not request.user.is_verified():
        return redirect("two_factor:verify")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(user=request.user, token=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            forget_two_factor_need(request)
            messages.success(request, _("Two-factor sign-in is on."))
            return render(
                request, "two_factor/backup_codes.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error("code", _("This code is not valid. Check the time on your phone."))
    uri = two_factor.provisioning_uri(device)
    qr = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your authenticator"))
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            # segno writes the SVG from the URI alone: markup it built, nothing user-typed.
            "qr": mark_safe(qr),  # noqa: S308  # nosec B308 B703
            "key": base64.b32encode(device.bin_key).decode().rstrip("="),
            "next": _next(request),
            "required": two_factor.is_required(request.user),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator, or a backup code."""
    if request.user.is_verified() or not two_factor.is_enabled(request.user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            forget_two_factor_need(request)
            return redirect(_next(request))
        form.add_error("code", _("This code is not valid. Wait for a new one and try again."))
    return render(request, "two_factor/verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    if not (two_factor.is_enabled(request.user) and request.user.is_verified()):
        return redirect("two_factor:overview")
    codes = two_factor.backup_codes_renew(user=request.user)
    return render(request, "two_factor/backup_codes.html", {"codes": codes, "next": "/"})


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    if two_factor.is_required(request.user):
        messages.error(request, _("Your role requires two-factor sign-in: it stays on."))
        return redirect("two_factor:overview")
    if two_factor.is_enabled(request.user) and not request.user.is_verified():
        return redirect("two_factor:verify")
    two_factor.disable(user=request.user)
    forget_two_factor_need(request)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor:overview")
