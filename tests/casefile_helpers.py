"""Shared set-up for the officer's case file tests: an application of the office cast walked to
the head's signing step, with a PDF the applicant uploaded, and the head's key files.

The cast is the back office's (`qyzmet.office.testing`): provider A's clerk, executor and head,
provider B's clerk. The head is recorded with her IIN (`Officer`); her signing key is an employee
key naming that IIN and provider A's BIN, as the certification centre issues them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from qyzmet.engine import services
from qyzmet.gateway.testing import ordinary_iin
from qyzmet.intake.online.models import Attachment, Draft
from qyzmet.pki.ca import AUTH, SIGN
from qyzmet.providers.models import Officer
from qyzmet.registry.keys import provider_bin

from . import cast as people

HEAD_IIN = ordinary_iin(seed=201)
OTHER_IIN = ordinary_iin(seed=202)
KEY_PASSWORD = "head-key-pw"  # noqa: S105 (test key files only)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def head_keys(centre, provider) -> dict:
    """The head's own signing key, her authentication key, another person's signing key of the
    same provider, and her expired signing key (issued once per run)."""
    employee = {"bin": provider_bin(provider), "organisation": "Provider A"}
    return {
        "own": people.key_file(centre, HEAD_IIN, SIGN, KEY_PASSWORD, "HEAD OF PROVIDER A", **employee),
        "auth": people.key_file(centre, HEAD_IIN, AUTH, KEY_PASSWORD, "HEAD OF PROVIDER A", **employee),
        "other": people.key_file(centre, OTHER_IIN, SIGN, KEY_PASSWORD, "ANOTHER OFFICIAL", **employee),
        "expired": people.key_file(
            centre,
            HEAD_IIN,
            SIGN,
            KEY_PASSWORD,
            "HEAD OF PROVIDER A",
            not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            not_after=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
            **employee,
        ),
    }


def record_head(cast) -> None:
    Officer.objects.update_or_create(user=cast.head, defaults={"iin": HEAD_IIN})


def with_pdf(app, name: str = "diploma.pdf") -> Attachment:
    """The application as filed from the portal, with one PDF the applicant uploaded."""
    draft = Draft.objects.create(
        user=people.person(app.applicant),
        regulation=app.regulation,
        variant=app.variant,
        channel=app.channel,
        provider=app.provider,
        state=Draft.State.SUBMITTED,
        application=app,
    )
    found = Attachment.objects.create(
        draft=draft,
        kind=Attachment.Kind.REQUIRED,
        name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content=PDF,
    )
    app.data = {**app.data, "portal_draft": draft.pk, "documents": [found.described()]}
    app.save(update_fields=["data"])
    return found


def to_signing_step(cast, app, outcome: str = "approve"):
    """Walk the application to the head's signing step (S5, or S5-refusal); its open run."""
    services.complete_step(app.steps.get().pk, cast.clerk)
    run = services.complete_step(app.steps.get(step_id="S2").pk, cast.executor, "complete")
    if outcome == "refuse":
        run = services.complete_step(
            run.pk, cast.executor, "refuse", grounds=["documents-not-compliant"], note="Not recognised."
        )
    else:
        run = services.complete_step(run.pk, cast.executor, "approve")
    return services.complete_step(run.pk, cast.executor)
