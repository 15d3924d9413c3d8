"""The reception desk of the provider's office, under /office/reception/.

Step 1 names the service and the applicant; the applicant's record is looked up (the lookup is
the evidence, with the clerk's name) and step 2 shows the request form prefilled, the list of
required documents as checkboxes and the scans to attach. An incomplete set ends in a refusal to
accept with its receipt; a complete set goes through the channel and ends in the receipt for the
accepted documents, in the regulation's refusal message when a check of the channel fails, or,
when a state database does not answer, in the queued registration's page: it is filed by itself
once the database answers. What the desk does is `qyzmet.intake.paper`; this is its face.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.access import access_application_as_staff
from qyzmet.intake import uploads
from qyzmet.intake.paper import reception, registration
from qyzmet.registry import documents

from . import access
from .reception_forms import AcceptForm, StartForm


@access.clerk_required
def start(request):
    choices = reception.services_for(request.user)
    form = StartForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        choice = reception.service_for(request.user, form.cleaned_data["service"])
        applicant = form.cleaned_data["applicant"]
        found = reception.identify(
            applicant,
            purpose=f"{choice.regulation.pk} {choice.channel}: reception, prefill of the request form",
            by=request.user.get_username(),
        )
        accept_form = AcceptForm(
            initial={"service": choice.key, "applicant": applicant, "applicant_name": found.name},
            choice=choice,
        )
        return _accept_page(request, choice, accept_form, found=found)
    return render(
        request, "office/reception/start.html", {"form": form, "empty": not choices, "section": "reception"}
    )


def _accept_page(request, choice, form, *, found=None, errors=(), status=200):
    return render(
        request,
        "office/reception/accept.html",
        {
            "form": form,
            "choice": choice,
            "reg": choice.regulation.parsed,
            "found": found,
            "file_errors": list(errors),
            "max_mb": uploads.MAX_BYTES // (1024 * 1024),
            "section": "reception",
        },
        status=status,
    )


@require_POST
@access.clerk_required
def submit(request):
    try:
        choice = reception.service_for(request.user, request.POST.get("service", ""))
    except reception.ReceptionError as exc:
        return render(request, "office/reception/start.html", {"form": None, "error": str(exc)}, status=400)
    form = AcceptForm(request.POST, choice=choice)
    if not form.is_valid():
        return _accept_page(request, choice, form, status=400)
    data = form.cleaned_data
    checklist = reception.check_documents(choice.regulation.parsed, data["documents"], data["variant"])
    if not checklist.complete:
        refusal = reception.refuse_incomplete(
            choice,
            data["variant"],
            data["applicant"],
            data["applicant_name"],
            data["documents"],
            request.user,
        )
        documents.issue_now(documents.issue_incomplete_set, refusal)
        return redirect("office:reception-refusal", number=refusal.number)
    scans, errors = [], []
    for upload in request.FILES.getlist("scans"):
        try:
            scans.append(uploads.check(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if not scans and not errors:
        errors.append(_("Attach the scans of the documents presented (PDF, JPEG or PNG)."))
    if errors:
        return _accept_page(request, choice, form, errors=errors, status=400)
    try:
        found = registration.file_paper_application(
            choice,
            data["variant"],
            data["applicant"],
            data["applicant_name"],
            scans,
            request.user,
            phone=data["phone"],
        )
    except reception.ReceptionError as exc:
        return _accept_page(request, choice, form, errors=[str(exc)], status=400)
    if found.status == found.Status.FILED and found.application is not None:
        documents.issue_now(documents.issue_receipt, found.application)
        return redirect("office:reception-accepted", number=found.application.number)
    if found.waiting:
        return redirect("office:reception-registration", pk=found.pk)
    return _registration_page(request, found)


@access.clerk_required
def registration_page(request, pk: int):
    """A registration the channel refused (its message) or that waits for a state database."""
    found = access.registration_for(request.user, pk)
    if found.status == found.Status.FILED and found.application is not None:
        return redirect("office:reception-accepted", number=found.application.number)
    return _registration_page(request, found)


def _registration_page(request, found):
    return render(
        request,
        "office/reception/registration.html",
        {
            "r": found,
            "reg": found.regulation.parsed,
            "waiting": registration.waiting_for(found) if found.waiting else "",
            "section": "reception",
        },
    )


@access.clerk_required
def accepted(request, number: str):
    app = access_application_as_staff(request.user, number)
    return render(
        request,
        "office/reception/accepted.html",
        {
            "app": app,
            "reg": app.regulation.parsed,
            "scans": app.scans.all(),
            "fee": reception.fee_due(app.regulation.parsed, app.variant, app.registered_at),
            "section": "reception",
        },
    )


@access.clerk_required
def receipt(request, number: str):
    app = access_application_as_staff(request.user, number)
    return documents.http_response(
        documents.obtain_for_application(app, documents.RECEIPT), f"{app.number}-receipt.pdf"
    )


@access.office_staff_required
def scan(request, number: str, scan: int):
    """A scan of an application the user may see (any of its provider's staff, not only clerks)."""
    app = access_application_as_staff(request.user, number)
    found = app.scans.filter(pk=scan).first()
    if found is None:
        raise Http404("no such scan of this application")
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.pk}"'
    return response


@access.clerk_required
def refusal(request, number: str):
    found = access.reception_refusal_for(request.user, number)
    return render(
        request,
        "office/reception/refusal.html",
        {"refusal": found, "reg": found.regulation.parsed, "section": "reception"},
    )


@access.clerk_required
def refusal_pdf(request, number: str):
    found = access.reception_refusal_for(request.user, number)
    issued = documents.stored(documents.INCOMPLETE, found.number) or documents.issue_incomplete_set(found)
    return documents.http_response(issued, f"{found.number}.pdf")
