"""Telling applicants by e-mail and SMS about their applications: filed, and closed.

The engine records `application_filed` and `application_closed` events (`qyzmet.outbox`); this
app subscribes to them (`subscribers.py`) and sends in the applicant's language (`notify.py`),
through Django's mail and an SMS client (`sms.py`), keeping each message sent (`Notification`).
"""
