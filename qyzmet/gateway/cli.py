"""`python -m qyzmet gateway serve [--host H] [--port 8101]`: the simulator service over HTTP.

Point the platform at it with QYZMET_GATEWAY_URL=http://127.0.0.1:8101. The service needs no
database; Django is set up only so the simulators can read settings and time zones.
"""

from __future__ import annotations

import sys


def _gateway(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    from . import faults, server

    if args.action == "serve":
        httpd = server.make(args.host, args.port, quiet=args.quiet)
        print(
            f"gateway simulators on http://{args.host}:{httpd.server_port}/ (magic serials: "
            + ", ".join(f"{k} {r.start}-{r.stop - 1}" for k, r in faults.MAGIC_SERIALS.items())
            + ")",
            file=sys.stderr,
            flush=True,
        )
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
        return 0
    return 2


def register(subparsers) -> None:
    gateway = subparsers.add_parser("gateway", help="the e-government gateway simulators")
    sub = gateway.add_subparsers(dest="action", required=True)
    serve = sub.add_parser("serve", help="serve the simulators over HTTP (JSON)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8101)
    serve.add_argument("--quiet", action="store_true", help="do not log each request")
    gateway.set_defaults(func=_gateway)
