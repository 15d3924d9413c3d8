"""`python -m qyzmet audit verify`."""


def _audit(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    from .log import verify

    count, broken = verify()
    if broken is None:
        print(f"audit chains intact: {count} entries")
        return 0
    print(f"audit chain broken at entry #{broken.pk} (after {count} intact entries)")
    return 1


def register(sub) -> None:
    audit = sub.add_parser("audit", help="the append-only audit log")
    audit_sub = audit.add_subparsers(dest="action", required=True)
    audit_sub.add_parser("verify", help="check the hash chain and name the first broken entry")
    audit.set_defaults(func=_audit)
