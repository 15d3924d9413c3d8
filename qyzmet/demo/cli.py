"""`demo load | applicants`: the demo data of `make run` (idempotent)."""

from __future__ import annotations

ADMIN = ("admin", "admin")


def _demo_load(args) -> int:
    from django.contrib.auth import get_user_model

    from qyzmet import clock
    from qyzmet.registry.tasks import made_on_first_download

    from .applicants import seed_demo_applicants
    from .applications import create_demo_applications
    from .office import seed_reception_clerks
    from .officials import seed_demo_heads
    from .providers import DEMO_PASSWORD, seed_providers, seed_supervisors
    from .psc import seed_centres

    User = get_user_model()
    admin, created = User.objects.get_or_create(username=ADMIN[0])
    if created:
        admin.set_password(ADMIN[1])
        admin.is_staff = admin.is_superuser = True
        admin.save()
    providers = seed_providers()
    supervisors = seed_supervisors()
    seed_centres()
    seed_reception_clerks()
    applicants = seed_demo_applicants()
    heads = seed_demo_heads()
    today = clock.today()
    # Years of demo history: their signed documents are made when first downloaded.
    with made_on_first_download():
        counts = create_demo_applications(today, per_regulation=args.per_regulation)
    print(f"demo login: {ADMIN[0]} / {ADMIN[1]} (superuser)")
    print(
        f"providers: {len(providers)}; staff logins <provider>.<role> / {DEMO_PASSWORD}, e.g. "
        + ", ".join(
            sorted(User.objects.filter(username__startswith="aed.").values_list("username", flat=True))[:4]
        )
    )
    for login in supervisors:
        print(f"supervisor: {login} / {DEMO_PASSWORD} (figures and refusal drift at /office/figures/)")
    for a in applicants:
        print(f"portal: {a.username} / demo; key files {a.auth_key}, {a.sign_key} (password demo)")
    if heads:
        print(f"heads sign results with their key files, e.g. {heads[0][0]}: {heads[0][1]} (password demo)")
    print(f"demo day {today:%d.%m.%Y}: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _demo_applicants(args) -> int:
    from .applicants import DEMO_PASSWORD, KEY_PASSWORD, seed_demo_applicants

    for applicant in seed_demo_applicants():
        print(
            f"portal applicant {applicant.username} ({applicant.name}) / {DEMO_PASSWORD}; "
            f"keys {applicant.auth_key} and {applicant.sign_key} (password {KEY_PASSWORD})"
        )
    return 0


def _demo(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    return {"load": _demo_load, "applicants": _demo_applicants}[args.action](args)


def register(sub) -> None:
    demo = sub.add_parser("demo", help="demo data (idempotent)")
    demo_sub = demo.add_subparsers(dest="action", required=True)
    load = demo_sub.add_parser("load", help="the demo logins, providers, staff and applications")
    load.add_argument("--per-regulation", type=int, default=30)
    demo_sub.add_parser(
        "applicants",
        help="the portal's demo applicants (password demo) and their key files in var/demo-keys/",
    )
    demo.set_defaults(func=_demo)
