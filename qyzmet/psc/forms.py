"""The acceptance form: the service and variant, the applicant, the documents, the written consent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.identity.numbers import problem
from qyzmet.regulations.templatetags.regulations import tr

DOCUMENTS = [
    ("standard", _("The documents required by the Standard (the clause the regulation cites)")),
    (
        "inventory",
        _("The inventory of the documents, drawn up by the applicant (Law on permissions Art. 25 p.4)"),
    ),
]


class AcceptanceForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"))
    applicant = forms.CharField(label=_("Applicant's IIN/BIN"), max_length=12, min_length=12)
    applicant_name = forms.CharField(
        label=_("Applicant"),
        max_length=200,
        required=False,
        help_text=_("Filled in from the state database if empty."),
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents presented"), choices=DOCUMENTS, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(
        label=_("The applicant gave written consent to the use of personal data"), required=False
    )
    ticket = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, services: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (
                f"{provider.pk}:{row.pk}:{variant.code}",
                f"{tr(row.parsed.title)} — {tr(variant.name)} — {provider.display_name}",
            )
            for provider, row in services
            for variant in row.parsed.variants
            if not row.parsed.channel("psc").variants or variant.code in row.parsed.channel("psc").variants
        ]

    def clean_applicant(self):
        value = self.cleaned_data["applicant"].strip()
        if problem(value):
            raise forms.ValidationError(
                _("IIN/BIN %(number)s: %(problem)s"), params={"number": value, "problem": problem(value)}
            )
        return value

    def clean_consent(self):
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError(_("Without the applicant's written consent nothing is accepted."))
        return True


class HandOverForm(forms.Form):
    handed_to = forms.CharField(
        label=_("Collected by (name, power of attorney)"), max_length=200, required=False
    )
