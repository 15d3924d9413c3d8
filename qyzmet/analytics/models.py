"""What measurement keeps of its own: the applicants' answers to the quality questionnaire."""

from django.db import models

from qyzmet.audit.models import AppendOnlyError
from qyzmet.engine.models import Application
from qyzmet.providers.models import Provider
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


# The figures' totals, kept per generation of the engine's hourly roll-up (`rollup`). Each holds
# what never changes again: applications closed at the roll-up, step runs completed by then,
# questionnaire answers up to an id. `period` is the first day of the month of filing (in the site's time zone),
# `minute` a step's working time rounded to the minute (None: not recorded), so that the 90th
# percentile can be read off the counts per minute.


class RollupMark(models.Model):
    """The analytics' side of one engine roll-up (`engine.FiguresMark` of the same generation):
    the questionnaire answers up to `answers_upto_id` and the step runs up to `runs_upto_id` that
    were completed then are in its totals (those still running then are listed in `PendingRun`)."""

    generation = models.BigIntegerField(unique=True)
    answers_upto_id = models.BigIntegerField()
    runs_upto_id = models.BigIntegerField()


class PendingRun(models.Model):
    """A step run up to a roll-up's `runs_upto_id` still running at the roll-up: counted live."""

    generation = models.BigIntegerField()
    run_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["generation", "run_id"])]


class ApplicationTotal(models.Model):
    """Closed applications of a provider, service and month of filing, counted as `figures.Row`
    counts them (none is open or overdue: they are closed)."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=80)
    period = models.DateField()
    applications = models.BigIntegerField()
    decided = models.BigIntegerField()
    with_term = models.BigIntegerField()
    in_term = models.BigIntegerField()
    refused = models.BigIntegerField()
    deemed_issued = models.BigIntegerField()
    portal = models.BigIntegerField()
    office = models.BigIntegerField()
    psc = models.BigIntegerField()


class _Sums(models.Model):
    steps = models.BigIntegerField()
    steps_judged = models.BigIntegerField()
    steps_kept = models.BigIntegerField()
    minutes_sum = models.FloatField(null=True)
    minutes_n = models.BigIntegerField()

    class Meta:
        abstract = True


class _StepSums(_Sums):
    """Runs of one working minute; `bucket` is the minute's histogram bucket (`totals.bucket`),
    by which a page reads only the minutes around a percentile's rank."""

    minute = models.IntegerField(null=True)
    bucket = models.IntegerField(null=True)

    class Meta:
        abstract = True


class _BucketSums(_Sums):
    """The same runs summed per bucket of working minutes (`totals.bucket`, None: not recorded):
    what a page reads whole, a hundred rows per group instead of a thousand or more."""

    bucket = models.IntegerField(null=True)

    class Meta:
        abstract = True


class ApplicationStepTotal(_StepSums):
    """Completed step runs (up to the mark's id) of the applications of a provider, service and
    month of filing, per working minute."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=80)
    period = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["generation", "bucket"])]


class ApplicationStepBucket(_BucketSums):
    """`ApplicationStepTotal`'s runs per bucket of working minutes instead of per minute."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=80)
    period = models.DateField()


class RunTotal(_StepSums):
    """Completed step runs (up to the mark's id) per provider, regulation step and officer (who
    completed it), per working minute."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    regulation_id = models.CharField(max_length=120)
    flow = models.CharField(max_length=60)
    step_id = models.CharField(max_length=40)
    officer_id = models.IntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["generation", "bucket"])]


class RunBucket(_BucketSums):
    """`RunTotal`'s runs per bucket of working minutes instead of per minute."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    regulation_id = models.CharField(max_length=120)
    flow = models.CharField(max_length=60)
    step_id = models.CharField(max_length=40)
    officer_id = models.IntegerField(null=True)


class AnswerTotal(models.Model):
    """Questionnaire answers (up to the mark's id) of a provider, service and month of filing: the
    answers given (one per question) and how many were "satisfied"."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=80)
    period = models.DateField()
    answers = models.BigIntegerField()
    satisfied = models.BigIntegerField()


class DecisionTotal(models.Model):
    """Closed applications the provider decided (issued or refused) per service, provider and
    deciding officer (`drift.deciding_officer`), and of them refused: the refusal drift's counts."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=80)
    officer_id = models.IntegerField(null=True)
    decided = models.BigIntegerField()
    refused = models.BigIntegerField()


class GroundTotal(models.Model):
    """Refusals citing one ground, per service, provider and deciding officer."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=80)
    officer_id = models.IntegerField(null=True)
    ground = models.CharField(max_length=80)
    refused = models.BigIntegerField()
