"""What measurement keeps of its own: the applicants' answers to the quality questionnaire."""

from django.db import models

from qyzmet.audit.models import AppendOnlyError
from qyzmet.engine.models import Application
from qyzmet.regulations.models import Regulation


class QuestionnaireAnswer(models.Model):
    """One applicant's answers for one application (`questionnaire`), kept with the regulation
    version whose questions they answer; given once, never changed."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="questionnaire")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(help_text="each question's code to its answer")
    answered_at = models.DateTimeField()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("questionnaire answers cannot be changed")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.application_id} {self.answers}"
