"""The quality questionnaire of a regulation, as its annex gives it, and the indicators it measures.

Three regulations carry an annex "Questionnaire for determining the 'quality' and 'accessibility'
indicators of the electronic service" (seed 001 lines 535-550 and 1673-1691, seed 000 lines
662-674) and a clause saying the results of the service are measured by those indicators (seed
001 lines 224-225, seed 000 lines 238-240). Each question is one of the regulation's
`quality_indicators` and takes one of the three answers the annex lists: not satisfied, partly
satisfied, satisfied. The annex defines no formula beyond its answers, so an indicator is what the
answers give: how many applicants chose each answer, and their shares, per regulation version
(the questions are that version's). Answering is optional, once per application, after its
result or refusal.
"""

from __future__ import annotations

import dataclasses

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from qyzmet import clock
from qyzmet.engine.models import Application

from .models import QuestionnaireAnswer

# The annex's answers, in its order ("1) қанағаттанбаймын; 2) ішінара қанағаттанамын;
# 3) қанағаттанамын", seed 001 lines 542-545).
ANSWERS = {
    "not_satisfied": _("not satisfied"),
    "partly_satisfied": _("partly satisfied"),
    "satisfied": _("satisfied"),
}


class AlreadyAnswered(Exception):
    pass


def questions(app: Application) -> list:
    """The questions of the application's regulation version (its quality indicators); none for a
    regulation without the annex."""
    return list(app.regulation.parsed.quality_indicators)


def offered(app: Application) -> bool:
    """Whether the applicant is offered the questionnaire now: the application is decided, its
    regulation has the annex, and nobody has answered it yet."""
    return (
        not app.is_open
        and bool(questions(app))
        and not QuestionnaireAnswer.objects.filter(application=app).exists()
    )


def keep_answers(app: Application, answers: dict[str, str]) -> QuestionnaireAnswer:
    """Keep the applicant's answers: each question's code to one of `ANSWERS` (a question left
    out is left unanswered). ValueError on anything else; AlreadyAnswered the second time."""
    codes = {q.code for q in questions(app)}
    if app.is_open or not codes:
        raise ValueError("this application is not offered a questionnaire")
    unknown = set(answers) - codes
    if unknown or any(value not in ANSWERS for value in answers.values()):
        raise ValueError(f"answers must be {sorted(ANSWERS)} to the questions {sorted(codes)}")
    if not answers:
        raise ValueError("no question was answered")
    try:
        with transaction.atomic():
            return QuestionnaireAnswer.objects.create(
                application=app, regulation_id=app.regulation_id, answers=answers, answered_at=clock.now()
            )
    except IntegrityError as error:
        raise AlreadyAnswered(app.number) from error


@dataclasses.dataclass
class Indicator:
    regulation: str
    indicator: object  # the regulation's Indicator (its code, name and source lines)
    counts: dict[str, int]

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    def share(self, answer: str) -> float | None:
        return None if not self.answered else self.counts.get(answer, 0) / self.answered

    @property
    def rows(self) -> list[tuple[str, object, int, float | None]]:
        return [(code, label, self.counts.get(code, 0), self.share(code)) for code, label in ANSWERS.items()]


def indicators(applications) -> list[Indicator]:
    """Each quality indicator of the regulation versions of `applications` (a queryset), with the
    count of each answer among them; counted by the database, one query."""
    from qyzmet.regulations.models import Regulation

    answered = QuestionnaireAnswer.objects.filter(application__in=applications)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in answered.values("regulation_id", "answers").annotate(n=Count("id")).order_by():
        for code, answer in row["answers"].items():
            bucket = counts.setdefault((row["regulation_id"], code), {})
            bucket[answer] = bucket.get(answer, 0) + row["n"]
    result = []
    for reg in Regulation.objects.filter(pk__in={reg_id for reg_id, _code in counts}).order_by("pk"):
        for indicator in reg.parsed.quality_indicators:
            result.append(Indicator(reg.pk, indicator, counts.get((reg.pk, indicator.code), {})))
    return result
