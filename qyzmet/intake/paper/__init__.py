"""Paper intake: reception at a counter, for the provider's office and the service centre alike.

`reception` is what the desk does before anything is filed: which services it accepts, the
applicant's identification in the state database, the checklist of documents, the fee, and the
one rule that refuses an incomplete set. `registration` files a complete set through the
channel, or queues it while a state database is down and retries it until it is filed once.
The faces (`office/`, `psc/`) call these modules; nothing here imports a face.
"""
