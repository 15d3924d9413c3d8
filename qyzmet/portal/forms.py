"""The portal's forms: signing in with IIN/BIN and password, and the request form.

Errors are worded for the applicant and shown next to the field they concern. The request form
saves a draft with whatever is valid so far (`final=False`); only "continue" requires everything.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from qyzmet.identity import numbers
from qyzmet.intake import uploads
from qyzmet.intake.online import drafts
from qyzmet.intake.online.drafts import normalise_phone
from qyzmet.regulations.templatetags.regulations import tr


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("IIN or BIN"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean_username(self):
        number = self.cleaned_data["username"].strip()
        if numbers.problem(number):
            raise forms.ValidationError(
                _("This is not a valid IIN or BIN: %(problem)s.") % {"problem": numbers.problem(number)}
            )
        return number

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user = authenticate(self.request, username=data["username"], password=data["password"])
        if self.user is None or not self.user.is_active:
            raise forms.ValidationError(
                _("The IIN/BIN or the password is wrong. Check them and try again, or sign in with your EDS.")
            )
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by `uploads.check`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(uploads.check(upload))
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return checked


class RequestForm(forms.Form):
    provider = forms.ChoiceField(label=_("Where to apply"), required=False)
    subtypes = forms.CharField(
        label=_("Activity sub-types"),
        help_text=_("The kinds of activity the permit is for, one per line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    address = forms.CharField(
        label=_("Address where the activity is carried out"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        help_text=_("For SMS about your application, e.g. +7 701 234 56 78."),
        max_length=20,
        required=False,
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    other_documents = MultipleFileField(label=_("Other documents (optional)"), required=False)

    def __init__(self, *args, providers=(), documents=(), attached=(), final=False, spec=None, **kwargs):
        """`documents`: the regulation's list for the variant (`FormDocument`), one upload field
        each, in the list's order; `attached`: the codes that already have a file in the draft."""
        super().__init__(*args, **kwargs)
        self.final = final
        self.attached = set(attached)
        # The regulation's request form (regulations.schema.RequestFormSpec) names the fields it
        # asks for and the documents; without one, the platform's default form applies.
        self.spec_required = {"address"} if spec is None else set()
        if spec is not None:
            for field in spec.fields:
                target = "address" if field.code == "activity_object" else field.code
                if target in self.fields:
                    self.fields[target].label = tr(field.label)
                    if field.required:
                        self.spec_required.add(target)
        self.documents = list(documents)
        for doc in self.documents:
            self.fields[drafts.document_field(doc)] = MultipleFileField(
                label=tr(doc.name),
                help_text=_("PDF, JPEG or PNG, up to 10 MB each."),
                required=False,
            )
        self.order_fields([n for n in self.fields if n != "other_documents"] + ["other_documents"])
        choices = [(p.code, p.display_name) for p in providers]
        self.fields["provider"].choices = [("", _("— choose —"))] + choices if len(choices) > 1 else choices
        self.single_provider = len(choices) == 1

    def document_fields(self):
        """The upload fields of the listed documents, each with its document (for the template)."""
        return [(doc, self[drafts.document_field(doc)]) for doc in self.documents]

    def clean_phone(self):
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        phone = normalise_phone(text)
        if not phone:
            raise forms.ValidationError(_("Enter a Kazakhstan mobile number: +7 and ten digits."))
        return phone

    def clean_subtypes(self):
        return [line.strip() for line in self.cleaned_data["subtypes"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        if self.single_provider and not data.get("provider"):
            data["provider"] = self.fields["provider"].choices[0][0]
        if not self.final:
            return data
        required = {
            "provider": _("Choose where to apply."),
            "phone": _("Enter a mobile phone number so that we can tell you about your application."),
        }
        if "address" in self.spec_required:
            required["address"] = _("Enter the address where the activity is carried out.")
        if "subtypes" in self.spec_required:
            required["subtypes"] = _("Enter the sub-types of the activity.")
        for name, message in required.items():
            if name not in self.errors and not data.get(name):
                self.add_error(name, message)
        for doc in self.documents:
            name = drafts.document_field(doc)
            if (
                doc.required
                and name not in self.errors
                and not data.get(name)
                and doc.code not in self.attached
            ):
                self.add_error(
                    name, _("Attach “%(document)s”: the regulation requires it.") % {"document": tr(doc.name)}
                )
        return data
