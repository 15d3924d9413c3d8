"""May this user see or do this? The one place that decides, for every kind of object.

Each `access_*` function returns the object when the user may see it (or do what its name
says), and raises otherwise: `NotFound` (404) when they may not see it, so nothing confirms that
someone else's object exists; `Forbidden` (403) when they see it but may not do this. The
querysets (`own_applications`, `staff_applications`, `lookups_for`, ...) say what a user may see.
Predicates (`may_act_on_step`, `may_manage_clock`, ...) answer for pages that offer an action
and for the engine, which asks them too before it changes anything.

Faces (portal, API, office, centre) call these and decide nothing themselves; their view
decorators (`applicant_required`, `office_staff_required`, ...) are doors built on the
predicates of `people`. Access is domain: it imports models of the domain and base layers, and
never a face or the intake (rows of the intake, drafts or acceptances, are passed in).

Who is who (`people`): anonymous; an applicant (a username that is an IIN or BIN); staff by
role at a provider (`head`, `office-clerk` and the regulations' actor codes); a centre's
operator (`psc-operator`); a supervisor (`supervisor` at a ministry or akimat, over the providers
it `supervises`: `figures`); a superuser.
"""

from .applications import (
    access_application_as_staff,
    access_clock,
    access_conclusion,
    access_conclusion_to_answer,
    access_own_application,
    access_pause_answer,
    access_pause_file,
    access_provider_as_staff,
    access_step_run,
    may_act_given,
    may_act_on_step,
    may_answer_pause,
    may_manage_clock,
    own_applications,
    staff_applications,
    steps_user_may_act_on,
    steps_waiting_for,
)
from .centres import access_acceptance, access_centre, access_transfer
from .errors import Forbidden, NotFound
from .figures import (
    access_figures_of,
    figure_applications,
    figure_providers,
    is_supervisor,
    supervised_providers,
)
from .intake import (
    access_attachment_as_staff,
    access_draft,
    access_lookup,
    access_payment,
    access_reception_refusal,
    access_registration,
    lookups_for,
    own_drafts,
)
from .people import (
    applicant_number,
    clerk_providers,
    is_applicant,
    is_clerk,
    is_entity,
    is_operator,
    is_operator_of,
    is_staff,
    is_superuser,
    operator_centres,
    require_applicant,
    roles_at,
    staff_providers,
)
from .register import (
    access_register_entry_as_staff,
    access_register_entry_to_change,
    may_change_register_entry,
    register_entries_as_staff,
)

__all__ = [
    "Forbidden",
    "NotFound",
    "access_acceptance",
    "access_attachment_as_staff",
    "access_application_as_staff",
    "access_centre",
    "access_clock",
    "access_conclusion",
    "access_conclusion_to_answer",
    "access_draft",
    "access_figures_of",
    "access_lookup",
    "access_own_application",
    "access_pause_answer",
    "access_pause_file",
    "access_payment",
    "access_provider_as_staff",
    "access_reception_refusal",
    "access_registration",
    "access_register_entry_as_staff",
    "access_register_entry_to_change",
    "access_step_run",
    "access_transfer",
    "applicant_number",
    "clerk_providers",
    "figure_applications",
    "figure_providers",
    "is_applicant",
    "is_clerk",
    "is_entity",
    "is_operator",
    "is_operator_of",
    "is_staff",
    "is_superuser",
    "is_supervisor",
    "lookups_for",
    "may_answer_pause",
    "may_act_given",
    "may_act_on_step",
    "may_change_register_entry",
    "may_manage_clock",
    "operator_centres",
    "own_applications",
    "own_drafts",
    "register_entries_as_staff",
    "require_applicant",
    "roles_at",
    "staff_applications",
    "staff_providers",
    "steps_user_may_act_on",
    "steps_waiting_for",
    "supervised_providers",
]
