import copy

import pytest
import yaml

from qyzmet.regulations.loader import CATALOGUE_DIR

EXAMPLE = CATALOGUE_DIR / "mhsd-2015-401" / "specialist-certificate.yaml"


@pytest.fixture
def example_data():
    """The worked example regulation as plain data, for tests that break it on purpose."""
    return copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))


@pytest.fixture
def write_catalogue(tmp_path):
    """Write regulation documents into a temporary catalogue directory laid out like the real one."""

    def write(*documents):
        for doc in documents:
            path = tmp_path / f"{doc['id']}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return tmp_path

    return write


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The regulation catalogue is loaded once into the test database, as `make run` loads it."""
    from qyzmet.regulations.catalogue_sync import sync_catalogue

    with django_db_blocker.unblock():
        sync_catalogue()


@pytest.fixture(autouse=True)
def events_delivered_on_change(monkeypatch):
    """A test runs inside a transaction that is never committed, so nothing waiting for a commit
    would ever run: the engine's events are handed to their subscribers as soon as the change is
    written, as they are in production once it commits (tests/test_outbox.py checks the wait)."""
    from qyzmet.outbox import subscribers

    monkeypatch.setattr(subscribers, "after_commit", lambda callback, using: callback())


@pytest.fixture(autouse=True)
def english_messages():
    """Engine messages are asserted in English; pages choose their language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The test client asks for English unless a test says otherwise (the site's default is Kazakh)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    """A test certification centre for the module (RSA key generation is the slow part).

    Modules that need it to be the platform's centre point $QYZMET_PKI_DIR at it themselves.
    """
    from qyzmet.pki.ca import CertificationCentre

    return CertificationCentre(tmp_path_factory.mktemp("pki")).ensure()


@pytest.fixture(autouse=True, scope="session")
def documents_in_a_temporary_directory(tmp_path_factory):
    """Signed documents issued by tests are stored in a directory of the test run, not in var/."""
    from django.conf import settings
    from django.test import override_settings

    location = str(tmp_path_factory.mktemp("documents"))
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "documents": {**settings.STORAGES["documents"], "OPTIONS": {"location": location}},
        }
    ):
        yield
