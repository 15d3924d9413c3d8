"""The provider's conformance page: its own applications' findings, and nobody else's."""

import pytest
from django.urls import reverse

from qyzmet.engine.models import StepRun

from . import cast
from .registry_helpers import LICENCE, drive, make_provider

pytestmark = pytest.mark.django_db


def test_the_providers_staff_see_its_findings_and_another_providers_staff_do_not(client):
    provider = make_provider(LICENCE)
    clean = drive(provider, LICENCE, "S6")
    skipped = drive(provider, LICENCE, "S6", applicant="900101300156")
    StepRun.objects.filter(pk=skipped.steps.order_by("started_at", "id")[1].pk).delete()

    client.force_login(cast.staff_for(provider, "head"))
    page = client.get(reverse("office:conformance")).content.decode()
    assert skipped.number in page and "skipped_step" in page
    assert clean.number not in page

    other = make_provider(LICENCE, code="another-provider")
    client.force_login(cast.staff_for(other, "head"))
    page = client.get(reverse("office:conformance")).content.decode()
    assert skipped.number not in page
    assert "Every application followed its regulation" in page


def test_the_page_is_in_the_readers_language(client):
    provider = make_provider(LICENCE)
    drive(provider, LICENCE, "S6")
    client.force_login(cast.staff_for(provider, "head"))
    page = client.get(reverse("office:conformance"), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Conformance to the regulation" not in page
