"""The reception's two forms: what is applied for and by whom; then the documents presented."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.i18n import in_language
from qyzmet.identity.numbers import problem
from qyzmet.intake.paper.reception import ServiceChoice, required_documents, variants_of
from qyzmet.regulations.templatetags.regulations import tr


def _number(value: str) -> str:
    value = (value or "").strip()
    trouble = problem(value)
    if trouble:
        raise forms.ValidationError(
            _("IIN/BIN %(number)s: %(problem)s"), params={"number": value, "problem": trouble}
        )
    return value


class StartForm(forms.Form):
    """Step 1: the service (a regulation in force at the clerk's provider) and the applicant."""

    service = forms.ChoiceField(label=_("Service"))
    applicant = forms.CharField(label=_("Applicant's IIN/BIN"), max_length=12, min_length=12)

    def __init__(self, *args, choices: list[ServiceChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (c.key, f"{tr(c.regulation.parsed.title)} — {c.provider.display_name}") for c in choices
        ]

    def clean_applicant(self):
        return _number(self.cleaned_data["applicant"])


class AcceptForm(forms.Form):
    """Step 2: the variant, the applicant's details (prefilled) and the paper documents presented."""

    service = forms.CharField(widget=forms.HiddenInput)
    applicant = forms.CharField(widget=forms.HiddenInput)
    variant = forms.ChoiceField(label=_("Kind of application"))
    applicant_name = forms.CharField(label=_("Applicant"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    documents = forms.MultipleChoiceField(
        label=_("Documents presented"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choice: ServiceChoice, **kwargs):
        super().__init__(*args, **kwargs)
        reg = choice.regulation.parsed
        self.fields["variant"].choices = [(v.code, tr(v.name)) for v in variants_of(choice)]
        self.fields["documents"].choices = [
            (code, in_language(label)) for code, label in required_documents(reg)
        ]

    def clean_applicant(self):
        return _number(self.cleaned_data["applicant"])
