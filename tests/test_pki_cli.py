"""`python -m qyzmet pki issue|revoke|root`, `sign` and `verify`, end to end."""

import json

import pytest
from cryptography import x509

from qyzmet.cli import main

IIN = "870412300129"
REFUSAL = "The requested service is refused because the applicant's EDS is not confirmed"


@pytest.fixture
def pki_dir(pki_directory):
    """The platform's certification centre: the run's test centre ($QYZMET_PKI_DIR, conftest),
    never var/pki."""
    return pki_directory


@pytest.fixture
def request_file(tmp_path):
    path = tmp_path / "request.json"
    req = {"iin": IIN, "regulation": "mhsd-2015-401/specialist-certificate", "note": "Өтініш"}
    path.write_text(json.dumps(req, ensure_ascii=False), encoding="utf-8")
    return path


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.django_db
def test_cli_round_trip_issue_sign_verify_revoke_verify(capsys, tmp_path, request_file):
    key, signed = tmp_path / "RSA256.p12", tmp_path / "signed.json"
    code, out, _ = _run(
        capsys, "pki", "issue", "--iin", IIN, "--name", "ТЕСТОВ ТЕСТ", "--out", key, "--password", "pw"
    )
    assert code == 0 and "issued sign key" in out and key.exists()

    code, out, _ = _run(capsys, "sign", "--key", key, "--password", "pw", request_file)
    assert code == 0 and json.loads(out)["request"]["note"] == "Өтініш"
    signed.write_text(out, encoding="utf-8")

    assert _run(capsys, "verify", signed)[:2] == (0, "valid\n")

    code, out, _ = _run(capsys, "pki", "revoke", key, "--reason", "key_compromise")
    assert code == 0 and "CRL #" in out

    code, out, _ = _run(capsys, "verify", signed)
    assert code == 1
    assert out.startswith(f"invalid: {REFUSAL}: revoked (")

    code, out, _ = _run(capsys, "pki", "revoke", key)
    assert code == 0 and "already revoked" in out


@pytest.mark.django_db
def test_cli_expired_key_is_refused(capsys, tmp_path, request_file):
    key, signed = tmp_path / "old.p12", tmp_path / "signed.json"
    args = ["pki", "issue", "--iin", IIN, "--not-before", "2014-01-01", "--not-after", "2015-01-01"]
    assert _run(capsys, *args, "--out", key, "--password", "pw")[0] == 0
    code, out, _ = _run(
        capsys, "sign", "--key", key, "--password", "pw", "--signed-at", "2014-06-01T10:00", request_file
    )
    signed.write_text(out, encoding="utf-8")
    code, out, _ = _run(capsys, "verify", signed)
    assert code == 1 and out.startswith(f"invalid: {REFUSAL}: expired")


@pytest.mark.django_db
def test_cli_authentication_key_and_revoke_by_password(capsys, tmp_path, request_file):
    key, signed = tmp_path / "AUTH_RSA256.p12", tmp_path / "signed.json"
    assert (
        _run(capsys, "pki", "issue", "--iin", IIN, "--purpose", "auth", "--out", key, "--password", "pw")[0]
        == 0
    )
    signed.write_text(
        _run(capsys, "sign", "--key", key, "--password", "pw", request_file)[1], encoding="utf-8"
    )
    code, out, _ = _run(capsys, "verify", signed)
    assert code == 1 and ": wrong_key_usage (" in out
    code, out, _ = _run(capsys, "pki", "revoke", key, "--password", "pw")
    assert code == 0 and out.startswith("revoked ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,problem",
    [
        (["--iin", "870412300128"], "invalid IIN 870412300128: control digit"),
        (["--iin", IIN, "--bin", "12"], "invalid BIN 12"),
    ],
)
def test_cli_refuses_invalid_iin_or_bin(capsys, tmp_path, args, problem):
    code, _, err = _run(capsys, "pki", "issue", *args, "--out", tmp_path / "k.p12", "--password", "pw")
    assert code == 2 and problem in err and not (tmp_path / "k.p12").exists()


@pytest.mark.django_db
def test_cli_writes_the_issued_key_file_owner_only(capsys, tmp_path):
    import os

    key = tmp_path / "RSA256.p12"
    previous = os.umask(0)  # only the CLI's own mode keeps the file private
    try:
        code, _, _ = _run(capsys, "pki", "issue", "--iin", IIN, "--out", key, "--password", "pw")
    finally:
        os.umask(previous)
    assert code == 0 and key.stat().st_mode & 0o777 == 0o600


def test_cli_sign_with_wrong_password_says_so(capsys, tmp_path, request_file):
    key = tmp_path / "k.p12"
    key.write_bytes(b"not a key file")
    code, out, err = _run(capsys, "sign", "--key", key, "--password", "pw", request_file)
    assert code == 2 and out == "" and "cannot open the key file" in err


def test_cli_verify_of_garbage_is_invalid(capsys, tmp_path):
    path = tmp_path / "signed.json"
    path.write_text(json.dumps({"request": {"iin": IIN}, "signature": {}}))
    code, out, _ = _run(capsys, "verify", path)
    assert code == 1 and out.startswith(
        "invalid: The request is refused because the EDS is not confirmed: malformed"
    )


def test_cli_root_writes_the_trust_anchor(capsys, tmp_path, pki_dir):
    code, out, _ = _run(capsys, "pki", "root", "--out", tmp_path / "root.pem")
    root = x509.load_pem_x509_certificate((tmp_path / "root.pem").read_bytes())
    assert code == 0 and root.subject == root.issuer and (pki_dir / "root.pem").exists()
