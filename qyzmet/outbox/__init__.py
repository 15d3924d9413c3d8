"""The transactional outbox: what happened to an application, recorded with the change itself.

A state change (filing, a step's completion, closing, a pause, a resume, a body's answer) writes
its event row in the same statement or transaction as the change, so an event exists exactly when
its change was committed. Whoever needs to act on a change (the register, the applicant's notices,
the Population Service Centre, analytics) subscribes to its kind (`subscribers.subscriber`); once
the change is committed each subscriber is handed the event by a Celery task (in-process in the
embedded default), retried a bounded number of times, and its delivery is a row keyed by event
id and subscriber: delivered once, or visibly failed. A failing subscriber never undoes the
change. `tasks.redispatch` (Celery beat) hands out again what was never delivered.
"""
