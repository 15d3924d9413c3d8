"""`python -m qyzmet api token USERNAME | schema`: API tokens and the OpenAPI document."""

from __future__ import annotations

import json
import sys


def _token(args) -> int:
    """Make an API token and print it, once: only its hash is kept."""
    from django.contrib.auth import get_user_model

    from .models import ApiToken

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"no user {args.username!r}", file=sys.stderr)
        return 1
    if not user.is_active:
        print(f"user {args.username!r} is not active", file=sys.stderr)
        return 1
    row, token = ApiToken.issue(user, args.name)
    print(
        f"token #{row.pk} for {args.username} ({args.name}); store it now, it is not shown again:",
        file=sys.stderr,
    )
    print(token)
    return 0


def _schema(args) -> int:
    """The back-office API's OpenAPI document, as served at /api/v1/openapi.json; the committed
    copy in docs/ is checked against the app by the test suite."""
    from .api import api

    text = json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _api(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    return {"token": _token, "schema": _schema}[args.action](args)


def register(sub) -> None:
    api = sub.add_parser("api", help="the back-office API: tokens and its OpenAPI document")
    api_sub = api.add_subparsers(dest="action", required=True)
    token = api_sub.add_parser(
        "token",
        help="create an API token for a user and print it (only its hash is kept; it is not shown again)",
    )
    token.add_argument("username")
    token.add_argument("--name", default="api", help="which system will use it (shown in the admin)")
    schema = api_sub.add_parser("schema", help="write the OpenAPI document (stdout, or --output FILE)")
    schema.add_argument("--output", help="file to write (e.g. docs/openapi.json)")
    api.set_defaults(func=_api)
