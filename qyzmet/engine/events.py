"""The kinds of events the engine records with its changes (`qyzmet.outbox`), and what each carries.

Each event's subject is the application; its data are plain values, the same on every backend.
Subscribers (the register, notices, the Population Service Centre, analytics) read the rest from
the application itself.
"""

FILED = "application_filed"  # number, channel
STEP_COMPLETED = "step_completed"  # step, outcome, next (the step started)
CLOSED = "application_closed"  # status, result, step, refusal (which act; also when deemed issued by the term's lapse)
PAUSED = "application_paused"  # reason
RESUMED = "application_resumed"
CONCLUSION_ANSWERED = "conclusion_answered"  # body, answer
PROTOCOL_RECORDED = "protocol_recorded"  # step, number (a collegial step's meeting protocol)

KINDS = (FILED, STEP_COMPLETED, CLOSED, PAUSED, RESUMED, CONCLUSION_ANSWERED, PROTOCOL_RECORDED)
