"""The three refusals a provider gives, each an act of its own with its wording, term and law.

1. `acceptance`: the documents are not accepted because the set is incomplete, at the desk of
   the provider's office or a Population Service Centre, before anything is registered (Law on
   state services Art. 19-20; Law 202-V Art. 25 p.4 on acceptance against an inventory). It
   is the reception desk's receipt (qyzmet/intake/paper), or a procedure's refusal end where the
   regulation has its clerk refuse to accept (e.g. seed 003 lines 1631-1635).
2. `consideration`: the reasoned refusal of further consideration of a registered application
   whose set turns out incomplete, within 2 working days of registration (Law 202-V Art. 25 p.1,
   before it Law 214-III Art. 42 p.4; the seeds' «өтінішті қараудан бас тарту туралы уәжді
   жауап», «мотивированный ответ об отказе в рассмотрении заявления»).
3. `service`: the reasoned refusal to provide the service, on the grounds of the law (Law 202-V
   Art. 32 for licences) and of the regulation's Standard, within the service's term.

A regulation says which act each refusal end gives (`Step.refusal`); the engine records it with
the closing, the register issues the act's own document, and the cabinet names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ACCEPTANCE, CONSIDERATION, SERVICE = "acceptance", "consideration", "service"
# The refusal of further consideration is given within 2 working days of registration.
CONSIDERATION_TERM = {"value": 2, "unit": "working_days"}


@dataclass(frozen=True)
class RefusalAct:
    code: str
    title: object  # lazy text, in the active language
    kk: str  # the document's heading in Kazakh and Russian (documents carry both)
    ru: str
    term: object  # lazy text: when it is given
    law: dict  # what it rests on, in kk, ru and en


ACTS = {
    ACCEPTANCE: RefusalAct(
        ACCEPTANCE,
        _("Refusal to accept the documents"),
        "Құжаттар топтамасының толық болмауына байланысты құжаттарды қабылдаудан бас тарту туралы қолхат",
        "Расписка об отказе в приёме документов в связи с неполнотой пакета документов",
        _("at the desk, when the documents are presented"),
        {
            "kk": "№ 88-V «Мемлекеттік көрсетілетін қызметтер туралы» Заң, 19-20-баптар; № 202-V Заң, 25-баптың 4-тармағы",
            "ru": "Закон «О государственных услугах» № 88-V, ст. 19-20; Закон № 202-V, п. 4 ст. 25",
            "en": "Law on state services No. 88-V, Art. 19-20; Law 202-V, Art. 25 p.4",
        },
    ),
    CONSIDERATION: RefusalAct(
        CONSIDERATION,
        _("Reasoned refusal of further consideration of the application"),
        "Өтінішті одан әрі қараудан бас тарту туралы уәжді жауап",
        "Мотивированный отказ в дальнейшем рассмотрении заявления",
        _("within 2 working days of registration"),
        {
            "kk": "№ 202-V Заң, 25-баптың 1-тармағы (20.11.2014 дейін: № 214-III Заң, 42-баптың 4-тармағы)",
            "ru": "Закон № 202-V, п. 1 ст. 25 (до 20.11.2014: Закон № 214-III, п. 4 ст. 42)",
            "en": "Law 202-V, Art. 25 p.1 (before 20.11.2014: Law 214-III, Art. 42 p.4)",
        },
    ),
    SERVICE: RefusalAct(
        SERVICE,
        _("Reasoned refusal to provide the service"),
        "Мемлекеттік қызметті көрсетуден бас тарту туралы уәжді жауап",
        "Мотивированный ответ об отказе в оказании государственной услуги",
        _("within the term of the service"),
        {
            "kk": "№ 202-V Заң, 30 және 32-баптар; Стандартта көрсетілген бас тарту негіздері",
            "ru": "Закон № 202-V, ст. 30 и ст. 32; основания для отказа, указанные в Стандарте",
            "en": "Law 202-V, Art. 30 and Art. 32; the Standard's grounds for refusal",
        },
    ),
}


def act(code: str | None) -> RefusalAct | None:
    return ACTS.get(code or "")
