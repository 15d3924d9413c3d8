"""The kinds of events the register records with its changes (`qyzmet.outbox`).

Each event's subject is the register entry (its id); notices to the holder and to the licensor
subscribe to them (notifications/subscribers.py) instead of being called by the register.
"""

STATUS_CHANGED = "register_status_changed"  # number, seq, action, ground
TERM_ENDING = "register_term_ending"  # number, valid_until, days (the reminder before the end)
TERMINATION_PROPOSED = "register_termination_proposed"  # number, proposal, ground

KINDS = (STATUS_CHANGED, TERM_ENDING, TERMINATION_PROPOSED)
