"""Signing in to the portal: IIN/BIN and password, or the EDS authentication key.

EDS sign-in is a challenge and answer. The login page puts a random challenge in the session
and on the page; the browser signs it with the authentication key of the applicant's key file
(the key never leaves the browser) and posts the detached CMS signature (base64), as NCALayer
would make it; `verify_auth_challenge`
checks it against the test certification centre. The challenge is taken out of the session
before it is checked, so each can be answered once, and it expires after CHALLENGE_SECONDS.
An applicant signing in by EDS for the first time gets an account named by the certificate's
number: the BIN for an employee's key (she acts for the entity), else the IIN.
"""

from __future__ import annotations

import secrets
import time

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.pki.faults import sign_in_fault
from qyzmet.pki.verify import verify_auth_challenge

from ..forms import SignInForm

CHALLENGE_KEY = "portal_eds_challenge"
SIGNER_KEY = "portal_signer_iin"
CHALLENGE_SECONDS = 300


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal:cabinet")


def _challenge(request) -> str:
    challenge = f"qyzmet-portal-login:{secrets.token_urlsafe(32)}"
    request.session[CHALLENGE_KEY] = {"text": challenge, "issued": time.time()}
    return challenge


def _page(request, form=None, eds_error: str = "", eds_fault: str = "", status: int = 200):
    return render(
        request,
        "portal/login.html",
        {
            "form": form or SignInForm(),
            "challenge": _challenge(request),
            "next": _next(request),
            "eds_error": eds_error,
            "eds_fault": eds_fault,
        },
        status=status,
    )


def sign_in(request):
    if request.method != "POST":
        return _page(request)
    form = SignInForm(request.POST, request=request)
    if not form.is_valid():
        return _page(request, form, status=400)
    login(request, form.user)
    request.session.pop(SIGNER_KEY, None)
    return redirect(_next(request))


@require_POST
def sign_in_eds(request):
    issued = request.session.pop(CHALLENGE_KEY, None)
    if not issued or time.time() - issued["issued"] > CHALLENGE_SECONDS:
        return _page(request, eds_error=_("The sign-in page was open too long. Try again."), status=400)
    signature = request.POST.get("signature", "").strip()
    result = verify_auth_challenge(issued["text"].encode("ascii"), signature)
    if not result.valid:
        fault = sign_in_fault(result.reason if request.POST.get("signature") else None)
        return _page(request, eds_error=str(fault.message), eds_fault=fault.code, status=403)
    username = result.bin or result.iin
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNER_KEY] = result.iin
    messages.success(request, _("You signed in with your EDS."))
    return redirect(_next(request))


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:catalogue")
