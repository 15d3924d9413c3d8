"""The forms of the task page, each built for one step run or one application.

Choices come from the regulation (outcomes of the step, refusal grounds) and from the staff of
the application's provider, so a form offers exactly what the engine will accept. The engine
still checks everything again: these forms are for clear messages, not for security.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from qyzmet.engine import paths
from qyzmet.engine.models import ConclusionRequest, StepRun
from qyzmet.i18n import in_language
from qyzmet.regulations.templatetags.regulations import tr

OUTCOME_LABELS = {
    "done": _("done"),
    "yes": _("yes"),
    "no": _("no"),
    "complete": _("documents complete"),
    "incomplete": _("documents incomplete (refuse)"),
    "approve": _("approve"),
    "refuse": _("refuse"),
    "positive": _("positive"),
    "negative": _("negative"),
    # branches by the application's variant (a licence issued, reissued, or its duplicate)
    "issue": _("issue"),
    "reissue": _("reissue"),
    "duplicate": _("duplicate"),
}


def outcome_label(outcome: str):
    return OUTCOME_LABELS.get(outcome, outcome)


def is_refusal(outcome: str) -> bool:
    return outcome in paths.REFUSING


PROTOCOL_FIELDS = ("protocol_number", "meeting_at", "chair", "members", "secretary", "reasoning")


class CompleteStepForm(forms.Form):
    """Complete the current step with one of its outcomes; a refusal needs grounds and a text.

    A step the regulation has decided at a meeting of a commission or council (`collegial`) is
    completed with the meeting's protocol: its number, when the meeting was held, who chaired it
    and who else was present, who drew it up and the reasoning of the decision (the outcome)."""

    run = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"))
    grounds = forms.MultipleChoiceField(
        label=_("Grounds for refusal"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    protocol_number = forms.CharField(label=_("Protocol number"), required=False, max_length=40)
    meeting_at = forms.DateTimeField(
        label=_("Meeting held (date and time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    chair = forms.CharField(label=_("Chair of the meeting"), required=False, max_length=200)
    members = forms.CharField(
        label=_("Other members present, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    secretary = forms.CharField(label=_("Secretary who drew up the protocol"), required=False, max_length=200)
    reasoning = forms.CharField(
        label=_("Reasoning of the decision"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args, run: StepRun, outcomes: list[str], regulation, collegial: bool = False, **kwargs
    ):
        kwargs.setdefault("initial", {})["run"] = run.pk
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o, outcome_label(o)) for o in outcomes]
        if len(outcomes) == 1:
            self.fields["outcome"].initial = outcomes[0]
        self.fields["grounds"].choices = [(g.code, tr(g.text)) for g in regulation.refusal_grounds]
        self.has_grounds = bool(regulation.refusal_grounds)
        self.offers_refusal = any(is_refusal(o) for o in outcomes)
        self.collegial = collegial
        if not collegial:
            for name in PROTOCOL_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if is_refusal(data.get("outcome") or ""):
            if self.has_grounds and not data.get("grounds"):
                self.add_error("grounds", _("Choose at least one ground from the regulation."))
            if not (data.get("note") or "").strip():
                self.add_error("note", _("Explain the refusal in your own words."))
        if self.collegial:
            if not (data.get("protocol_number") or "").strip():
                self.add_error("protocol_number", _("Give the protocol's number."))
            if not data.get("meeting_at") and "meeting_at" not in self.errors:
                self.add_error("meeting_at", _("Give the date and time of the meeting."))
            if not (data.get("chair") or "").strip():
                self.add_error("chair", _("Name the chair of the meeting."))
        return data

    def protocol(self) -> dict | None:
        """The meeting's protocol as the engine takes it (None for a step not taken at a meeting)."""
        if not self.collegial:
            return None
        data = self.cleaned_data
        return {
            "number": data["protocol_number"],
            "meeting_at": data["meeting_at"],
            "chair": data["chair"],
            "members": data["members"].splitlines(),
            "secretary": data["secretary"],
            "reasoning": data["reasoning"],
        }


class AssignForm(forms.Form):
    """Hand the step to a colleague who holds its role at the application's provider."""

    run = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(label=_("Colleague"), queryset=get_user_model().objects.none())

    def __init__(self, *args, run: StepRun, **kwargs):
        kwargs.setdefault("initial", {})["run"] = run.pk
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(staff_roles__provider=run.application.provider, staff_roles__role=run.role)
            .distinct()
            .order_by("username")
        )
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class ConclusionAnswerForm(forms.Form):
    """Record the answer an approving body gave."""

    request = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (ConclusionRequest.Answer.POSITIVE, ConclusionRequest.Answer.POSITIVE.label),
            (ConclusionRequest.Answer.NEGATIVE, ConclusionRequest.Answer.NEGATIVE.label),
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, conclusion: ConclusionRequest, **kwargs):
        kwargs.setdefault("initial", {})["request"] = conclusion.pk
        # one form per body on the page: ids of their own, so each label names its field
        kwargs.setdefault("auto_id", f"id_conclusion_{conclusion.pk}_%s")
        super().__init__(*args, **kwargs)
        self.conclusion = conclusion


class PauseForm(forms.Form):
    """Stop the legal clock on a ground the law gives for this application (`rules`: the pause
    rules in force, by code); the note adds what exactly is asked."""

    reason = forms.ChoiceField(label=_("Legal ground"))
    note = forms.CharField(label=_("What exactly is asked"), max_length=2000, required=False)

    def __init__(self, *args, rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            (code, f"{in_language(rule.title)} ({rule.source})") for code, rule in rules.items()
        ]
