"""The applicant portal keeps nothing of its own.

Drafts, their attachments and the submission ledger belong to the online intake
(`qyzmet.intake.online`), which both the portal and the applicant API use; the notices sent to
applicants are kept by `qyzmet.notifications`. They are named here for the portal's pages.
"""

from __future__ import annotations

from qyzmet.intake.online.models import Attachment, Draft, Submission

__all__ = ["Attachment", "Draft", "Submission"]
