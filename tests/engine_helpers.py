"""Shared set-up for engine tests: providers with staff for every role, and a driver."""

from django.contrib.auth import get_user_model

from qyzmet.providers.models import Provider, StaffRole

COMMISSION = ["Ахметов Н. С.", "Омарова Г. Б.", "Қасымов А. Қ.", "Сәрсенбаева Д. М."]


def staff_for(provider: Provider, role: str):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=f"{provider.pk}.{role}")
    StaffRole.objects.get_or_create(user=user, provider=provider, role=role)
    return user


def protocol_for(reg, run, moment, number: str = "No. 12") -> dict:
    """`complete_step`'s keyword arguments for the protocol of `run`'s step: the meeting's minutes
    when a commission or council decides it (a `collegial` step), held at `moment`; else none."""
    flow = reg.procedure(run.flow) or reg.channel(run.flow)
    step = next(s for s in flow.steps if s.id == run.step_id)
    if not step.collegial:
        return {}
    return {
        "protocol": {
            "number": number,
            "meeting_at": moment,
            "chair": COMMISSION[0],
            "members": COMMISSION,
            "secretary": "Жұмабаева А. С.",
            "reasoning": "The materials were examined against the requirements; decided by a majority of votes.",
        }
    }
