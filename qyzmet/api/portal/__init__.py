"""The applicant API (portal, version 1), under /api/v1/portal/: what the portal's pages do, for
any client. Applicants sign in as users whose username is their IIN or BIN, with the same
bearer tokens or session as the back-office API; `qyzmet.access` is the chokepoint that keeps each
of them to their own applications, payments and lookups.
"""

from ninja import Router

from . import cabinet, catalogue, payments, submissions

router = Router()
for group in (catalogue, cabinet, payments, submissions):
    router.add_router("/", group.router)
