"""The platform's one command line: `python -m qyzmet COMMAND ...` (`manage.py` is another name for it).

The platform's own commands are defined here and in each app's `cli.py`; any other command is
Django's (`migrate`, `runserver`, `createsuperuser`, `compilemessages`, ...) and is handed to
`django.core.management` unchanged. Commands that only read the regulation catalogue, the
calendar or identity numbers run without a database; the others set Django up first.
"""

from __future__ import annotations

import argparse
import json
import sys


def _regulations(args) -> int:
    from qyzmet.regulations import export
    from qyzmet.regulations.validate import validate_catalogue

    if args.action == "validate":
        regulations, problems = validate_catalogue()
        if args.id:
            regulations = [r for r in regulations if r.id.startswith(args.id)]
            problems = [p for p in problems if p.startswith(args.id)]
        for p in problems:
            print(p)
        if problems:
            print(f"{len(problems)} problem(s) in {len(regulations)} regulation(s) that loaded")
            return 1
        steps = sum(len(c.steps) for r in regulations for c in r.channels) + sum(
            len(p.steps) for r in regulations for p in r.procedures
        )
        print(f"{len(regulations)} regulations valid ({steps} steps)")
        return 0
    if args.action == "json-schema":
        json.dump(export.json_schema(), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if args.action == "load":
        return _load_catalogue()
    from qyzmet.regulations.loader import catalogue

    regs = catalogue()
    if args.action == "list":
        for reg in regs.values():
            channels = ",".join(c.code for c in reg.channels)
            print(
                f"{reg.id}\t{reg.service}\t{reg.in_force.from_}..{reg.in_force.until or ''}\t{channels}\t{reg.title.en}"
            )
        return 0
    if getattr(args, "id", None) and args.id not in regs:
        print(f"unknown regulation {args.id!r}; `regulations list` shows them", file=sys.stderr)
        return 2
    if args.action == "show":
        print(export.describe(regs[args.id]))
        return 0
    if args.action == "export":
        chosen = [regs[args.id]] if args.id else list(regs.values())
        json.dump(export.to_json(chosen), sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    if args.action == "bpmn":
        from qyzmet.regulations import bpmn

        sys.stdout.write(bpmn.to_bpmn_xml(regs[args.id], args.channel))
        return 0
    return 2


def _id(args) -> int:
    from qyzmet.identity import numbers

    if args.action == "check":
        problem = numbers.problem(args.number)
        if problem:
            print(f"invalid: {problem}")
            return 1
        info = numbers.describe(args.number)
        print("valid")
        if args.verbose:
            print(json.dumps(info, ensure_ascii=False, default=str))
        return 0
    if args.action == "generate":
        gen = numbers.generate_iin if args.kind == "iin" else numbers.generate_bin
        for _ in range(args.count):
            print(gen())
        return 0
    return 2


def _load_catalogue() -> int:
    setup_django()
    from qyzmet.regulations.catalogue_sync import CatalogueInvalid, sync_catalogue

    try:
        counts = sync_catalogue()
    except CatalogueInvalid as exc:
        print(f"the catalogue has problems, nothing loaded:\n{exc}", file=sys.stderr)
        return 1
    print("regulations: {created} created, {updated} updated, {unchanged} unchanged".format(**counts))
    return 0


def setup_django() -> None:
    """For commands that use the database: configure Django (Django's own commands do it themselves)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qyzmet.settings")
    django.setup()


def _plugin_modules():
    """Each app may add commands in its own `cli.py` with a `register(subparsers)` function."""
    import importlib
    import pkgutil
    from pathlib import Path

    package_dir = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(package_dir)]), key=lambda i: i.name):
        if info.ispkg and (package_dir / info.name / "cli.py").exists():
            yield importlib.import_module(f"qyzmet.{info.name}.cli")


def build_parser(prog: str = "python -m qyzmet") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The platform's commands; any other command is Django's (`help` lists both).",
        epilog="Django's commands run the same way, e.g. migrate, runserver, createsuperuser, "
        "makemigrations, compilemessages, collectstatic.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in _plugin_modules():
        module.register(sub)

    reg = sub.add_parser("regulations", help="the regulation catalogue")
    reg_sub = reg.add_subparsers(dest="action", required=True)
    reg_sub.add_parser("list")
    val = reg_sub.add_parser("validate")
    val.add_argument("id", nargs="?", help="only regulations whose id starts with this")
    show = reg_sub.add_parser("show")
    show.add_argument("id")
    exp = reg_sub.add_parser("export")
    exp.add_argument("--format", choices=["json"], default="json")
    exp.add_argument("id", nargs="?")
    reg_sub.add_parser("json-schema", help="the JSON Schema of the export")
    reg_sub.add_parser("load", help="validate the regulation files and load them into the database")
    bp = reg_sub.add_parser("bpmn")
    bp.add_argument("id")
    bp.add_argument("--channel", default=None, help="a channel code; the internal procedure when omitted")
    reg.set_defaults(func=_regulations)

    ident = sub.add_parser("id", help="IIN and BIN numbers")
    id_sub = ident.add_subparsers(dest="action", required=True)
    chk = id_sub.add_parser("check")
    chk.add_argument("number")
    chk.add_argument("-v", "--verbose", action="store_true")
    gen = id_sub.add_parser("generate")
    gen.add_argument("kind", choices=["iin", "bin"])
    gen.add_argument("--count", type=int, default=1)
    ident.set_defaults(func=_id)
    parser.commands = frozenset(sub.choices)  # the platform's own; any other name is Django's
    return parser


# Django's commands that change the schema, run as its owner (settings.DATABASE_OWNER_URL).
OWNER_COMMANDS = frozenset({"migrate"})


def django_command(argv: list[str], prog: str = "python -m qyzmet") -> int:
    """Run one of Django's own commands (`migrate`, `runserver`, ...), as `django-admin` would."""
    import os

    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qyzmet.settings")
    if argv and argv[0] in OWNER_COMMANDS:
        # The schema is changed by its owner (DATABASE_OWNER_URL), never by the app's role.
        os.environ["QYZMET_DATABASE_AS_OWNER"] = "1"
    execute_from_command_line([prog, *argv])
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m qyzmet") -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(prog)
    if argv == ["help"]:  # both lists: the platform's commands, then Django's
        parser.print_help()
        print()
        return django_command(argv, prog)
    if argv and not argv[0].startswith("-") and argv[0] not in parser.commands:
        return django_command(argv, prog)
    args = parser.parse_args(argv)
    return args.func(args)
