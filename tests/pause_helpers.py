"""A regulation the law lets the clock stop for, and an application under it.

No regulation of the catalogue is an export-control licence, the only case in which the law read
stops the term (Law 202-V Art. 37 p.2; `qyzmet/engine/law_rules.yaml`). Tests of the pause copy a
licence regulation of the catalogue as one that declares `export_control`, at the provider given.
"""

import copy
import datetime as dt
import hashlib
import json

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.regulations.models import Regulation

BASE = "almaty-2015-2-279/medical-licence"  # a licence, in force after the Law 202-V took effect
SERVICE = "export-control-licence"
RULE = "end-user-certificate"


def export_control_regulation(acts_as: str) -> Regulation:
    """A copy of the base licence regulation, declaring export control, provided by `acts_as`."""
    base = Regulation.objects.get(pk=BASE)
    document = copy.deepcopy(base.document)
    document["id"] = f"test-export/{SERVICE}-{acts_as}"[:80]
    document["service"] = SERVICE
    document["provider"]["code"] = acts_as
    document["export_control"] = True
    return Regulation.objects.update_or_create(
        pk=document["id"],
        defaults=dict(
            service=SERVICE,
            provider_code=acts_as,
            in_force_from=base.in_force_from,
            in_force_until=base.in_force_until,
            document=document,
            digest=hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest(),
        ),
    )[0]


def filed_moment(days: int = 10) -> dt.datetime:
    day = Regulation.objects.get(pk=BASE).in_force_from + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ALMATY)


def export_control_application(provider, applicant: str = "870412300129", **kwargs):
    """An application for the export-control licence at `provider`, filed on a working morning."""
    row = export_control_regulation(provider.acts_as)
    return services.file_application(
        service=SERVICE,
        provider=provider,
        variant="issue",
        channel=kwargs.pop("channel", "provider_office"),
        applicant=applicant,
        filed_at=kwargs.pop("filed_at", None) or filed_moment(),
        regulation=row,
        **kwargs,
    )
