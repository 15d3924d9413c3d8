"""The main pages and who opens them, on one small world: the walks over every page (the
small-screen and accessibility walk, the language walk) share it.

A licensing provider with an issued, a refused and an open application of one applicant, its
head and clerk, and a service centre with its operator.
"""

from qyzmet.engine import services

from . import cast
from .registry_helpers import LICENCE, drive, filing_moment, make_provider

APPLICANT = "870412300129"


def main_pages() -> dict:
    """Each person (None: someone not signed in) with the pages they open."""
    provider = make_provider(LICENCE)
    person = cast.person(APPLICANT)
    issued = drive(provider, LICENCE, "S6", applicant=APPLICANT)
    refused = drive(provider, LICENCE, "S6-refusal", applicant=APPLICANT)
    open_app = services.file_application(
        service=issued.regulation.parsed.service,
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant=APPLICANT,
        applicant_name="ТОО «Шипагер»",
        filed_at=filing_moment(LICENCE, 12),
    )
    for app in (issued, refused, open_app):
        type(app).objects.filter(pk=app.pk).update(applicant_user=person)
    centre, operator = cast.service_centre("psc-walk")
    type(centre).objects.filter(pk=centre.pk).update(
        name={"kk": "Алматы қаласының ХҚКО", "ru": "ЦОН города Алматы", "en": "Almaty PSC"}
    )
    act, slug = LICENCE.split("/")
    return {
        None: [
            "/",
            f"/regulations/{act}/{slug}/",
            "/portal/",
            f"/portal/services/{act}/{slug}/",
            "/portal/login/",
            "/accounts/login/",
            "/register/",
            f"/register/verify/{issued.register_entry.number}/",
            "/register/head/",
        ],
        person: [
            "/portal/cabinet/",
            f"/portal/cabinet/applications/{issued.number}/",
            f"/portal/cabinet/applications/{refused.number}/",
            f"/portal/cabinet/applications/{open_app.number}/",
        ],
        cast.staff_for(provider, "head"): [
            "/office/",
            "/office/dashboard/",
            "/office/conformance/",
            f"/office/applications/{open_app.number}/",
            f"/office/applications/{refused.number}/",
        ],
        cast.staff_for(provider, "office-clerk"): ["/office/reception/"],
        operator: ["/psc/", f"/psc/{centre.code}/", f"/psc/{centre.code}/accept/"],
    }
