"""What every test shares, made once: the fast password hasher, RSA keys made ahead, the regulation
catalogue in the test database, the test certification centre, and the cast of people (tests/cast.py).

Made once per run (per worker under pytest-xdist, each with its own test database): the hasher
setting, the catalogue (loaded with the test database, and again before each transactional test,
whose predecessor emptied every table), the certification centre (RSA key generation is the slow
part) and $QYZMET_PKI_DIR pointing at it. Made per test, in its rolled-back transaction: the cast.
"""

import copy

import pytest
import yaml

from qyzmet.regulations.loader import CATALOGUE_DIR

EXAMPLE = CATALOGUE_DIR / "mhsd-2015-401" / "specialist-certificate.yaml"


# -- once per run -----------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """One fast password hasher for the whole run: PBKDF2's million rounds cost half a second per
    login made or checked (the demo data makes 42), and the tests assert who may sign in, not how
    strong the hash is."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def keys_made_ahead():
    """RSA keys for the run's certification centre come from tests/data/rsa-2048-keys.pem, each used
    once per run (worker), then freshly generated ones: generating a 2048-bit key costs a tenth of
    a second and the suite issues over a hundred key files. Only the generation is skipped; every
    key is still a distinct real key, so a signature checked against another person's certificate
    still fails."""
    import re
    from pathlib import Path

    from cryptography.hazmat.primitives import serialization

    from qyzmet.pki import ca

    text = (Path(__file__).parent / "data" / "rsa-2048-keys.pem").read_text()
    blocks = re.findall(r"-----BEGIN PRIVATE KEY-----.+?-----END PRIVATE KEY-----", text, re.S)
    generate = ca.new_key

    def new_key():
        if not blocks:
            return generate()
        return serialization.load_pem_private_key(
            blocks.pop().encode(), password=None, unsafe_skip_rsa_key_validation=True
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ca, "new_key", new_key)
        yield


@pytest.fixture(scope="session")
def pki_directory(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "pki"


@pytest.fixture(scope="session", autouse=True)
def platform_pki(pki_directory):
    """The platform's certification centre is the run's test centre (never ./var/pki): whatever
    creates it first (the `centre` fixture or code that issues a key) creates it there, once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QYZMET_PKI_DIR", str(pki_directory))
        yield


@pytest.fixture(scope="session")
def centre(pki_directory):
    """The run's test certification centre, which is also the platform's ($QYZMET_PKI_DIR)."""
    from qyzmet.pki.ca import CertificationCentre

    return CertificationCentre(pki_directory).ensure()


def _load_catalogue():
    from qyzmet.regulations.catalogue_sync import sync_catalogue

    sync_catalogue()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The regulation catalogue is loaded once into the test database, as `make run` loads it."""
    with django_db_blocker.unblock():
        _load_catalogue()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Tests marked `slow` go first. pytest-django then orders the kinds (database tests,
    transactional ones, the rest), keeping this order within each kind, so a slow test starts
    early in its kind instead of running alone at the end while the other worker waits."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.fixture(autouse=True)
def catalogue_after_flush(request):
    """A transactional test (live server, concurrent transactions) empties every table when it
    ends, the catalogue with them; pytest-django runs these after all the others, and each gets
    the catalogue back before it starts."""
    if _transactional(request.node):
        request.getfixturevalue("transactional_db")
        _load_catalogue()


# -- per test ---------------------------------------------------------------------------------


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


@pytest.fixture
def cast(db):
    """Applicants A and B, provider P (clerk, head, licensing department) and provider Q of the
    Almaty medical licence, and a service centre's operator (tests/cast.py)."""
    from .cast import make_cast

    return make_cast()


@pytest.fixture
def applicant_a(cast):
    return cast.applicant_a


@pytest.fixture
def applicant_b(cast):
    return cast.applicant_b


@pytest.fixture
def provider_p(cast):
    return cast.provider_p


@pytest.fixture
def provider_q(cast):
    return cast.provider_q


@pytest.fixture
def psc_operator(cast):
    return cast.psc_operator


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


@pytest.fixture(autouse=True)
def events_delivered_on_change(monkeypatch):
    """Each test's transaction is never committed either (tests/worlds.py)."""
    from .worlds import deliver_as_written

    deliver_as_written(monkeypatch)


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
