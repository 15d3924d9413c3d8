"""`python -m qyzmet audit verify [--against FILE] [--incremental]` and `audit replay`."""

from __future__ import annotations


def _verify(args) -> int:
    from qyzmet.registry import heads

    from . import log

    ok = True
    since = None
    if args.against:
        published = heads.read_file(args.against)
        said, ok = heads.compare(
            heads.AUDIT, published, log.against, empty=not log.AuditEntry.objects.exists()
        )
        print("\n".join(said))
        since = published.newest(heads.AUDIT) if args.incremental else None
    elif args.incremental:
        since = heads.newest(heads.AUDIT)
    count, broken = log.verify(since=since)
    mode = f"incremental from {len(since)} published heads" if since else "full"
    if broken is None:
        print(f"audit chains intact: {count} entries ({mode})")
        return 0 if ok else 1
    print(f"audit chain broken at entry #{broken.pk} (after {count} intact entries, {mode})")
    return 1


def _replay(args) -> int:
    from qyzmet.engine import replay

    outcome = replay.compare()
    for mismatch in outcome.mismatches[: args.limit]:
        print(mismatch)
    if len(outcome.mismatches) > args.limit:
        print(f"... and {len(outcome.mismatches) - args.limit} more")
    print(
        f"applications={outcome.applications} consistent={outcome.consistent} "
        f"mismatched={len(outcome.mismatches)}"
    )
    return 0 if not outcome.mismatches else 1


def _audit(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    return {"verify": _verify, "replay": _replay}[args.action](args)


def register(sub) -> None:
    audit = sub.add_parser("audit", help="the append-only audit log")
    audit_sub = audit.add_subparsers(dest="action", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chains and name the first broken entry")
    verify.add_argument(
        "--against",
        metavar="FILE",
        help="also check the chains still reach every head in FILE (/register/heads.jsonl, kept earlier)",
    )
    verify.add_argument(
        "--incremental",
        action="store_true",
        help="check only after the newest published heads (of FILE, or as published here); "
        "without it every entry is re-read",
    )
    replay = audit_sub.add_parser(
        "replay", help="rebuild each application's status, step and result from the log; compare with its row"
    )
    replay.add_argument("--limit", type=int, default=50, help="mismatches printed at most")
    audit.set_defaults(func=_audit)
