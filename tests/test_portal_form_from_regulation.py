"""The request form follows the regulation file's `request_forms`: labels, required fields, documents."""

from django.utils import translation

from qyzmet.portal.forms import RequestForm
from qyzmet.regulations.schema import RequestFormSpec

SPEC = RequestFormSpec.model_validate(
    {
        "source": {"lines": [1, 2]},
        "fields": [
            {
                "code": "subtypes",
                "label": {
                    "kk": "Кіші түрлері",
                    "ru": "Подвиды деятельности",
                    "en": "Sub-types of the activity",
                },
                "required": True,
                "source": {"lines": [1, 1]},
            }
        ],
        "documents": [
            {
                "code": "standard-clause-9",
                "name": {
                    "kk": "Стандарттың 9-тармағындағы құжаттар",
                    "ru": "Документы по пункту 9 Стандарта",
                    "en": "Documents listed in clause 9 of the Standard",
                },
                "source": {"lines": [2, 2]},
            }
        ],
    }
)


def test_labels_come_from_the_regulation_in_the_pages_language():
    with translation.override("ru"):
        form = RequestForm(spec=SPEC)
        assert form.fields["subtypes"].label == "Подвиды деятельности"
        assert form.fields["required_documents"].label == "Документы по пункту 9 Стандарта"


def test_required_fields_are_the_regulations():
    data = {"provider": "p", "phone": "+77012345678", "subtypes": "", "address": ""}
    form = RequestForm(
        data, providers=[type("P", (), {"code": "p", "display_name": "P"})()], spec=SPEC, final=True
    )
    assert not form.is_valid()
    assert "subtypes" in form.errors  # the regulation asks for sub-types
    assert "address" not in form.errors  # and not for an address


def test_without_a_spec_the_default_form_asks_for_the_address():
    data = {"provider": "p", "phone": "+77012345678"}
    form = RequestForm(data, providers=[type("P", (), {"code": "p", "display_name": "P"})()], final=True)
    assert not form.is_valid() and "address" in form.errors and "subtypes" not in form.errors


def test_every_regulation_with_a_portal_channel_defines_its_request_form():
    from qyzmet.regulations.loader import catalogue

    for reg in catalogue().values():
        for variant in reg.variants:
            form = reg.request_form_for(variant.code)
            assert form is not None and form.documents, (reg.id, variant.code)
