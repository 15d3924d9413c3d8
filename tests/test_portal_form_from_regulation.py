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
        form = RequestForm(spec=SPEC, documents=SPEC.documents)
        assert form.fields["subtypes"].label == "Подвиды деятельности"
        assert form.fields["document-standard-clause-9"].label == "Документы по пункту 9 Стандарта"


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


TWO_DOCUMENTS = RequestFormSpec.model_validate(
    {
        "source": {"lines": [1, 2]},
        "documents": [
            {
                "code": "name-change-proof",
                "name": {
                    "kk": "Атауының өзгергенін растайтын құжат",
                    "ru": "Документ, подтверждающий изменение наименования",
                    "en": "Document confirming the change of name",
                },
                "source": {"lines": [3, 3]},
            },
            {
                "code": "power-of-attorney",
                "name": {"kk": "Сенімхат", "ru": "Доверенность", "en": "Power of attorney"},
                "required": False,
                "source": {"lines": [4, 4]},
            },
        ],
    }
)
ONE_PROVIDER = [type("P", (), {"code": "p", "display_name": "P"})()]
ANSWERS = {"provider": "p", "phone": "+77012345678", "address": "Almaty"}


def test_each_listed_document_has_its_own_upload_named_as_the_regulation_names_it():
    with translation.override("kk"):
        form = RequestForm(spec=TWO_DOCUMENTS, documents=TWO_DOCUMENTS.documents)
        labels = [field.label for _doc, field in form.document_fields()]
    assert labels == ["Атауының өзгергенін растайтын құжат", "Сенімхат"]


def test_a_required_document_without_a_file_is_named_in_the_readers_language():
    expected = {
        "kk": "«Атауының өзгергенін растайтын құжат» тіркеңіз: оны регламент талап етеді.",
        "ru": "Приложите «Документ, подтверждающий изменение наименования»: этого требует регламент.",
        "en": "Attach “Document confirming the change of name”: the regulation requires it.",
    }
    for language, message in expected.items():
        with translation.override(language):
            form = RequestForm(ANSWERS, providers=ONE_PROVIDER, documents=TWO_DOCUMENTS.documents, final=True)
            assert not form.is_valid()
            assert form.errors["document-name-change-proof"] == [message]
            assert "document-power-of-attorney" not in form.errors  # not required


def test_a_document_already_in_the_draft_counts():
    form = RequestForm(
        ANSWERS,
        providers=ONE_PROVIDER,
        documents=TWO_DOCUMENTS.documents,
        attached=["name-change-proof"],
        final=True,
    )
    assert form.is_valid(), form.errors
