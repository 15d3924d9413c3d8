"""`python -m qyzmet pki issue|revoke|root`, `python -m qyzmet sign` and `python -m qyzmet verify`
(a signed envelope from a file, or `--application NUMBER`: the one a filed application was
filed on, as the online intake kept it).

The certification centre is the platform's (settings.VAR_DIR / "pki", or $QYZMET_PKI_DIR).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")
REASONS = ["unspecified", "key_compromise", "affiliation_changed", "superseded", "cessation_of_operation"]


def _moment(text: str) -> dt.datetime:
    """ISO 8601; Asia/Almaty time unless an offset is given (as `calendar add` reads it)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"not an ISO 8601 moment: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ALMATY)


def _read(path: str) -> bytes:
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()


def _error(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _pki(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    from cryptography.hazmat.primitives import serialization

    from . import registry
    from .ca import CertificationCentre, PKIError, crl_number, load_p12, reason_of, serial_hex, write_private

    ca = CertificationCentre.default()
    try:
        if args.action == "issue":
            issued, record = registry.issue(
                ca,
                iin=args.iin,
                bin=args.bin,
                name=args.name,
                organisation=args.organisation,
                purpose=args.purpose,
                not_before=_moment(args.not_before) if args.not_before else None,
                not_after=_moment(args.not_after) if args.not_after else None,
                password=args.password,
            )
            # A key file holds a private key: owner-only, as NCALayer's own files are kept.
            write_private(args.out, issued.p12)
            print(
                f"issued {record.purpose} key {record.serial} for {issued.certificate.subject.rfc4514_string()}, "
                f"valid {record.not_before.isoformat()} .. {record.not_after.isoformat()}: {args.out}"
            )
            return 0
        if args.action == "revoke":
            data = _read(args.file)
            if args.password is not None:
                serial = load_p12(data, args.password)[1].serial_number
            else:
                serial = int(registry.find_by_p12(data).serial, 16)
            from cryptography import x509

            already = reason_of(ca.crl(), serial) if ca.crl() is not None else None
            if already:
                print(f"{serial_hex(serial)} was already revoked on {already[0].isoformat()} ({already[1]})")
                return 0
            crl, _ = registry.revoke(serial, x509.ReasonFlags[args.reason], ca)
            print(f"revoked {serial_hex(serial)}; CRL #{crl_number(crl)} published: {ca.crl_path}")
            return 0
        if args.action == "root":
            Path(args.out).write_bytes(ca.root.public_bytes(serialization.Encoding.PEM))
            print(f"root CA {ca.root.subject.rfc4514_string()}: {args.out}")
            return 0
    except PKIError as exc:
        return _error(str(exc))
    return 2


def _sign(args) -> int:
    from .ca import PKIError
    from .signing import sign_with_p12

    try:
        request = json.loads(_read(args.request))
    except (OSError, ValueError) as exc:
        return _error(f"cannot read the request: {exc}")
    if not isinstance(request, dict):
        return _error("a request is a JSON object")
    try:
        envelope = sign_with_p12(
            request,
            Path(args.key).read_bytes(),
            args.password,
            _moment(args.signed_at) if args.signed_at else None,
        )
    except (OSError, PKIError) as exc:
        return _error(str(exc))
    json.dump(envelope, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def _verify(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()  # the centre's directory is under settings.VAR_DIR
    from .verify import verify_signed_request

    if args.application:
        return _verify_application(args.application, args.export)
    if args.export:
        return _error("--export goes with --application")
    if not args.signed:
        return _error("give a signed request file (or -) or --application NUMBER")
    try:
        envelope = json.loads(_read(args.signed))
    except (OSError, ValueError) as exc:
        return _error(f"cannot read the signed request: {exc}")
    result = verify_signed_request(envelope, at=_moment(args.at) if args.at else None)
    if result.valid:
        print("valid")
        return 0
    print(f"invalid: {result.refusal_message(args.language)}: {result.reason} ({result.detail})")
    return 1


def _verify_application(number: str, directory: str | None = None) -> int:
    # The command line sits above every app, so it may ask the intake for its evidence.
    from qyzmet.intake.online.evidence import NoEvidence, export, verify_application

    try:
        checks = verify_application(number)
        if directory:
            content, signature = export(number, directory)
            print(f"wrote {content} (the signed bytes) and {signature} (the CMS signature, DER)")
    except NoEvidence as exc:
        return _error(str(exc))
    for check in checks:
        print(f"{'ok' if check.ok else 'FAILED'}  {check.name}: {check.detail}")
    valid = all(check.ok for check in checks)
    print("valid" if valid else "invalid")
    return 0 if valid else 1


def register(sub) -> None:
    pki = sub.add_parser("pki", help="the test certification centre (NUC RK stand-in)")
    pki_sub = pki.add_subparsers(dest="action", required=True)
    issue = pki_sub.add_parser("issue", help="issue a PKCS#12 key file")
    issue.add_argument("--iin", required=True)
    issue.add_argument("--bin", default=None, help="for an employee of a legal entity: OU=BIN...")
    issue.add_argument("--name", default=None, help="CN, the holder's full name")
    issue.add_argument("--organisation", default=None, help="O, the legal entity's name (with --bin)")
    issue.add_argument("--purpose", choices=["auth", "sign"], default="sign")
    issue.add_argument("--not-before", default=None, help="ISO 8601; Asia/Almaty unless an offset is given")
    issue.add_argument("--not-after", default=None, help="ISO 8601; a year after --not-before by default")
    issue.add_argument("--out", required=True)
    issue.add_argument("--password", required=True)
    revoke = pki_sub.add_parser("revoke", help="revoke a key file's certificate and publish a new CRL")
    revoke.add_argument("file", help="the .p12 file (found in the register by its digest)")
    revoke.add_argument("--password", default=None, help="read the certificate from the file instead")
    revoke.add_argument("--reason", choices=REASONS, default="unspecified")
    root = pki_sub.add_parser("root", help="write the root CA certificate (PEM)")
    root.add_argument("--out", required=True)
    pki.set_defaults(func=_pki)

    sign = sub.add_parser(
        "sign", help="sign a JSON request with a key file (detached CMS); the envelope goes to stdout"
    )
    sign.add_argument("--key", required=True)
    sign.add_argument("--password", required=True)
    sign.add_argument("--signed-at", default=None, help="ISO 8601 (default: now)")
    sign.add_argument("request", help="REQUEST.json, or - for stdin")
    sign.set_defaults(func=_sign)

    verify = sub.add_parser("verify", help="verify a signed request: prints `valid` or `invalid: ...`")
    verify.add_argument("signed", nargs="?", help="the signed envelope (JSON file, or - for stdin)")
    verify.add_argument(
        "--application", default=None, help="verify the signed request a filed application was filed on"
    )
    verify.add_argument(
        "--export",
        default=None,
        metavar="DIR",
        help="with --application: write request.json (the signed bytes) and request.p7s (the CMS "
        "signature) there, for `openssl cms -verify`",
    )
    verify.add_argument("--at", default=None, help="verify as at this moment (default: now)")
    verify.add_argument("--language", choices=["kk", "ru", "en"], default="en")
    verify.set_defaults(func=_verify)
