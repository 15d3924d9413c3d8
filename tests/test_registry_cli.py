"""`python -m qyzmet registry list|pdf|verify`."""

import datetime as dt
import json

import pytest
from django.db import connection

from qyzmet.cli import main
from qyzmet.registry import services

from . import registry_helpers
from .registry_helpers import HOLDER, LICENCE, drive

# fixtures
centre, key_files, provider = registry_helpers.centre, registry_helpers.key_files, registry_helpers.provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(provider):
    return services.enter_result(drive(provider, LICENCE, "S6"))


def test_list_as_json(licence, capsys):
    services.change_status(
        licence, "suspended", "head", note="inspection", ground="violations-found", until=dt.date(2099, 1, 1)
    )
    assert main(["registry", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "number": licence.number,
            "kind": "licence",
            "holder": HOLDER,
            "holder_name": licence.holder_name,
            "status": "suspended",
            "issued_on": licence.issued_on.isoformat(),
            "provider": "reg-test-health",
        }
    ]


def test_pdf_of_an_entry_and_of_an_application(licence, tmp_path, capsys):
    out = tmp_path / "licence.pdf"
    assert main(["registry", "pdf", licence.number, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and b"/ByteRange" in out.read_bytes()
    receipt = tmp_path / "receipt.pdf"
    assert main(["registry", "pdf", licence.application.number, "--out", str(receipt)]) == 0
    assert receipt.read_bytes().startswith(b"%PDF")
    assert main(["registry", "pdf", "LIC-1999-00001", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "neither a register entry nor an application" in capsys.readouterr().err


def test_verify_prints_the_head_and_names_a_broken_entry(licence, capsys):
    assert main(["registry", "verify"]) == 0
    out = capsys.readouterr().out
    assert "register chain intact: 1 events" in out and licence.hash in out
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # a superuser past the trigger
        cursor.execute(
            "UPDATE registry_registerentry SET holder = %s WHERE id = %s", ["900101300156", licence.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    assert main(["registry", "verify"]) == 1
    assert f"broken at entry {licence.number} (event #1)" in capsys.readouterr().out
