"""Documents to attach (issue 13, item 2): each variant's list is in the regulation file with its
source; what the team cannot cite is shown as not cited, naming the Standard by its number and
date; the portal's form and the paper desks ask for the same list."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from pydantic import ValidationError

from qyzmet.intake.paper.reception import required_documents
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.schema import FormDocument
from qyzmet.regulations.validate import check_regulation

LICENCE = "almaty-2015-2-279/medical-licence"
ACCREDITATION = "mhsd-2015-401/medical-organisation-accreditation"


def test_every_variant_of_every_regulation_has_a_document_list_with_its_sources():
    for reg in catalogue().values():
        for variant in reg.variants:
            documents = reg.documents_for(variant.code)
            assert documents, f"{reg.id} {variant.code}: no document list"
            for doc in documents:
                assert doc.source.lines or doc.source.law, f"{reg.id} {doc.code}: no source"
                if doc.stands_for == "standard_clause":
                    cited = {c.clause for c in reg.standard.clauses_cited if c.subject == "documents"}
                    assert doc.clause in cited, f"{reg.id} {doc.code}: clause {doc.clause} is not cited"


def test_a_clause_is_given_exactly_for_a_reference_to_the_standard():
    base = {"code": "x", "name": {"kk": "x", "ru": "x", "en": "x"}, "source": {"lines": [1, 1]}}
    with pytest.raises(ValidationError):
        FormDocument.model_validate({**base, "stands_for": "standard_clause"})
    with pytest.raises(ValidationError):
        FormDocument.model_validate({**base, "clause": "9"})


def test_the_validator_refuses_a_clause_the_regulation_does_not_cite_for_documents():
    reg = catalogue()[LICENCE]
    form = reg.request_forms[0]
    wrong = form.documents[0].model_copy(update={"clause": "42"})
    changed = reg.model_copy(update={"request_forms": [form.model_copy(update={"documents": [wrong]})]})
    problems = check_regulation(changed, seed_lengths={})
    assert any("clause 42 of the Standard is not among" in p for p in problems), problems


@pytest.mark.parametrize(
    "language, says, standard",
    [
        (
            "kk",
            "оның тізбесін мұнда келтіре алмаймыз",
            "Қазақстан Республикасы Үкіметінің қаулысы, 24.02.2014, № 141",
        ),
        (
            "ru",
            "не можем привести его перечень здесь",
            "Постановление Правительства Республики Казахстан от 24.02.2014 № 141",
        ),
        ("en", "we cannot cite its list here", "Government Decree No. 141 of 24.02.2014"),
    ],
)
def test_a_list_that_cannot_be_cited_is_said_so_and_the_standard_named_by_number_and_date(
    language, says, standard
):
    reg = catalogue()[LICENCE]
    with translation.override(language):
        html = render_to_string("regulations/_documents.html", {"reg": reg})
    assert says in html and standard in html
    assert html.count("<li") == 1  # one list for the three variants, and no document invented


def test_a_document_the_seed_names_is_listed_by_name_with_its_lines():
    reg = catalogue()[ACCREDITATION]
    reissue = [doc.code for doc in reg.documents_for("reissue")]
    assert reissue == ["standard-clause-9", "name-or-form-change-proof"]
    with translation.override("ru"):
        html = render_to_string("regulations/_documents.html", {"reg": reg})
    assert "Документ, подтверждающий" in html or "документ, подтверждающий" in html.lower()
    assert "регламент, строки 583–584" in html


def test_the_paper_desks_check_the_list_the_portal_asks_for():
    for reg in catalogue().values():
        for variant in reg.variants:
            listed = [doc.code for doc in reg.documents_for(variant.code) if doc.required]
            with translation.override("ru"):
                desk = required_documents(reg, variant.code)
            assert [code for code, _label in desk] == listed + ["inventory"]
            assert all("Standard" not in label for _code, label in desk)  # named in Russian


@pytest.mark.django_db
def test_the_regulation_page_shows_the_list_and_the_translated_readings_in_the_readers_language(client):
    client.cookies["django_language"] = "kk"
    html = client.get(f"/regulations/{LICENCE}/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Қоса берілетін құжаттар" in html and "№ 141" in html
    assert "жоғалған қосымшалар" in html  # a reading given in kk/ru/en is shown in Kazakh
    assert "lost annexes" not in html
    client.cookies["django_language"] = "en"
    html = client.get(f"/regulations/{LICENCE}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "lost annexes" in html and "Documents to attach" in html


def test_every_legal_citation_has_its_kazakh_and_russian_text():
    """The regulations' citations and the register's grounds are cited in the reader's language
    (regulations/citations.yaml); the validator fails on a regulation's citation without one."""
    import yaml

    from qyzmet.registry.grounds import GROUNDS_FILE
    from qyzmet.regulations import citations

    laws = [src["law"] for g in yaml.safe_load(GROUNDS_FILE.read_text())["grounds"] for src in g["sources"]]
    assert citations.missing(laws) == []
    cited = citations.citation(laws[0])
    assert cited["kk"] != cited["en"] != cited["ru"] and "№ 214-III" in cited["ru"]


def test_the_laws_rules_are_cited_in_kazakh_and_russian_too():
    import yaml

    from qyzmet.engine.law import RULES_FILE
    from qyzmet.regulations import citations

    data = yaml.safe_load(RULES_FILE.read_text())
    laws = [src["law"] for rule in data["rules"] + (data.get("pauses") or []) for src in rule["sources"]]
    assert citations.missing(laws) == []
