"""Online intake: the one way an applicant's request reaches the engine from home, whichever door
(the web portal's pages or the applicant API) it comes through.

Drafts and their prefill from the state databases (`drafts.py`), the fee and its payment
(`payments.py`), the signed request and its submission through the regulation's portal channel
with one submission ledger (`submissions.py`), and the evidence kept for re-verification
(`evidence.py`). The doors only turn HTTP into calls of these functions and their answers back.
"""
