"""`python -m qyzmet registry list|pdf|verify [--against FILE] [--incremental]|publish-heads`: the
permit register from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _list(args) -> int:
    from .models import RegisterEntry

    entries = RegisterEntry.objects.with_current_status().order_by("id")
    rows = [
        {
            "number": e.number,
            "kind": e.kind,
            "holder": e.holder,
            "holder_name": e.holder_name,
            "status": e.current_status,
            "issued_on": e.issued_on.isoformat(),
            "provider": e.provider.code,
        }
        for e in entries.select_related("provider")
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for row in rows:
            print(f"{row['number']}\t{row['kind']}\t{row['holder']}\t{row['status']}\t{row['issued_on']}")
    return 0


def _pdf(args) -> int:
    """Write the signed document as issued (made now, once, if it never was: the operator may)."""
    from qyzmet.engine.models import Application

    from . import documents
    from .models import RegisterEntry

    entry = RegisterEntry.objects.filter(number=args.number).first()
    if entry is not None:
        if args.document:
            print(
                "--document is for application numbers; a register number gives its result", file=sys.stderr
            )
            return 2
        issued = documents.obtain_result(entry)
    else:
        application = Application.objects.filter(number=args.number).first()
        if application is None:
            print(f"{args.number} is neither a register entry nor an application", file=sys.stderr)
            return 2
        try:
            issued = documents.obtain_for_application(application, args.document)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    data = documents.read(issued)
    Path(args.out).write_bytes(data)
    print(f"{args.number}: {args.out} ({len(data)} bytes, signed, SHA-256 {issued.sha256})")
    return 0


def _verify(args) -> int:
    from . import chain, heads

    ok = True
    since = None
    if args.against:
        published = heads.read_file(args.against)
        said, ok = heads.compare(
            heads.REGISTER, published, chain.against, empty=not chain.RegisterEvent.objects.exists()
        )
        print("\n".join(said))
        since = published.newest(heads.REGISTER).get(None) if args.incremental else None
    elif args.incremental:
        since = heads.newest(heads.REGISTER).get(None)
    check = chain.verify(since=since)
    mode = f"incremental from event #{since.position}" if since else "full"
    if check.intact:
        print(f"register chain intact: {check.count} events ({mode})")
        print(f"head: {check.head}")
        return 0 if ok else 1
    where = f"event #{check.broken_seq}" if check.broken_seq else "outside the chain"
    print(f"register chain broken at entry {check.broken_entry or '?'} ({where}): {check.problem}")
    print(f"intact up to event #{check.count}, head of the intact part: {check.head} ({mode})")
    return 1


def _publish_heads(args) -> int:
    """What the beat job does, now: verify, sign the heads that moved; optionally write the file."""
    from . import heads

    published = heads.publish()
    for head in published.signed:
        print(f"signed {head.log} chain {head.chain} #{head.seq} {head.hash}")
    for name in published.broken:
        print(f"{name}: chain broken, no head signed")
    print(f"heads signed: {len(published.signed)}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.writelines(heads.lines())
        print(f"all signed heads written to {args.out}")
    return 1 if published.broken else 0


def _registry(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    return {"list": _list, "pdf": _pdf, "verify": _verify, "publish-heads": _publish_heads}[args.action](args)


def register(sub) -> None:
    registry = sub.add_parser("registry", help="the permit register")
    registry_sub = registry.add_subparsers(dest="action", required=True)
    listing = registry_sub.add_parser("list", help="every entry with its current status")
    listing.add_argument("--format", choices=["json", "text"], default="text")
    pdf = registry_sub.add_parser("pdf", help="the signed PDF of an entry, or of an application's document")
    pdf.add_argument("number", help="a register number, or an application number")
    pdf.add_argument("--document", choices=["receipt", "refusal"], default=None, help="for an application")
    pdf.add_argument("--out", required=True)
    verify = registry_sub.add_parser(
        "verify", help="check the hash chain; name the first broken entry; print the head"
    )
    verify.add_argument(
        "--against",
        metavar="FILE",
        help="also check the chain still reaches every head in FILE (/register/heads.jsonl, kept earlier)",
    )
    verify.add_argument(
        "--incremental",
        action="store_true",
        help="check only after the newest published head (of FILE, or as published here)",
    )
    publish = registry_sub.add_parser(
        "publish-heads", help="verify the audit and register chains and sign their heads now (as beat does)"
    )
    publish.add_argument("--out", metavar="FILE", help="then write every signed head to FILE (JSON lines)")
    registry.set_defaults(func=_registry)
