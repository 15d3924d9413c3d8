"""The forms of the licensor's actions on a permit in the register (office/register_views.py).

Choices come from the register's grounds (registry/grounds.yaml); the register checks again that
the ground is one of the action's and that a suspension has its end, so these forms are for
clear messages, not for security."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.registry import grounds
from qyzmet.registry.models import RegisterEvent
from qyzmet.registry.services import STAFF_ACTIONS


class StatusChangeForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"))
    ground = forms.ChoiceField(label=_("Ground"))
    until = forms.DateField(
        label=_("Suspended until (for a suspension)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Decision: its number, date and reasons"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, RegisterEvent.Action(a).label) for a in STAFF_ACTIONS]
        self.fields["ground"].choices = [
            (g.code, f"{RegisterEvent.Action(a).label}: {g.label}")
            for a in STAFF_ACTIONS
            for g in grounds.for_action(a)
        ]

    def clean(self):
        data = super().clean()
        ground = grounds.get(data.get("ground") or "")
        if ground is not None and data.get("action") and ground.action != data["action"]:
            self.add_error("ground", _("This ground is not one of the chosen action's."))
        if data.get("action") == RegisterEvent.Action.SUSPENDED and not data.get("until"):
            self.add_error("until", _("A suspension needs the day it ends."))
        return data


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("terminate the permit")), ("dismiss", _("dismiss"))]
    )
    note = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))
