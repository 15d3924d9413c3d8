"""What went wrong with a signature or an EDS sign-in, and what the applicant can do about it.

A failed verification (`verify.Reason`) is not a refusal: nothing was filed, and the applicant can
sign again with the right key. Each fault has a stable `code` (the API's error body carries it;
clients may switch on it) and a sentence in the reader's language that says what is wrong and
what to do. Signing a request and signing in use different keys, so the same fault reads
differently for each (`SIGNING`, `SIGN_IN`).
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from .verify import Reason


class Fault(NamedTuple):
    code: str
    message: object  # a lazy translation: str() gives it in the active language


# Stable codes (documented in the API): never renamed, only added to.
WRONG_KEY_TYPE = "wrong_key_type"
CERTIFICATE_EXPIRED = "certificate_expired"
CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
CERTIFICATE_REVOKED = "certificate_revoked"
UNTRUSTED_ISSUER = "untrusted_issuer"
ANOTHER_PERSONS_CERTIFICATE = "another_persons_certificate"
SIGNATURE_MISMATCH = "signature_mismatch"
SIGNATURE_UNREADABLE = "signature_unreadable"
NOT_SIGNED = "not_signed"

CODES = (
    WRONG_KEY_TYPE,
    CERTIFICATE_EXPIRED,
    CERTIFICATE_NOT_YET_VALID,
    CERTIFICATE_REVOKED,
    UNTRUSTED_ISSUER,
    ANOTHER_PERSONS_CERTIFICATE,
    SIGNATURE_MISMATCH,
    SIGNATURE_UNREADABLE,
    NOT_SIGNED,
)

_CODE_OF = {
    Reason.WRONG_KEY_USAGE: WRONG_KEY_TYPE,
    Reason.EXPIRED: CERTIFICATE_EXPIRED,
    Reason.NOT_YET_VALID: CERTIFICATE_NOT_YET_VALID,
    Reason.REVOKED: CERTIFICATE_REVOKED,
    Reason.UNTRUSTED: UNTRUSTED_ISSUER,
    Reason.IIN_MISMATCH: ANOTHER_PERSONS_CERTIFICATE,
    Reason.BIN_MISMATCH: ANOTHER_PERSONS_CERTIFICATE,
    Reason.BAD_SIGNATURE: SIGNATURE_MISMATCH,
    Reason.MALFORMED: SIGNATURE_UNREADABLE,
}

SIGNING = {
    WRONG_KEY_TYPE: _(
        "You signed with your authentication key (its file name starts with AUTH_RSA256). "
        "Requests are signed with the signing key: choose the key file whose name starts with "
        "RSA256 and sign again."
    ),
    CERTIFICATE_EXPIRED: _(
        "The certificate of your signing key has expired. Get a new key at the certification "
        "centre (NCA of the Republic of Kazakhstan), then sign again. Your draft is kept."
    ),
    CERTIFICATE_NOT_YET_VALID: _(
        "The certificate of your signing key is not valid yet. Sign with it from the date it "
        "becomes valid, or with your current key."
    ),
    CERTIFICATE_REVOKED: _(
        "The certificate of your signing key was revoked. Get a new key at the certification "
        "centre, then sign again. Your draft is kept."
    ),
    UNTRUSTED_ISSUER: _(
        "Your key was not issued by a certification centre the portal trusts. Sign with a key of "
        "the National Certification Centre of the Republic of Kazakhstan."
    ),
    ANOTHER_PERSONS_CERTIFICATE: _(
        "The key belongs to another person or organisation, not to the applicant you signed in "
        "as. Sign with your own signing key (for an organisation: an employee key of that "
        "organisation)."
    ),
    SIGNATURE_MISMATCH: _(
        "The signature does not match the request: the request changed after it was signed. "
        "Open the signing page again and sign once more."
    ),
    SIGNATURE_UNREADABLE: _(
        "The signature could not be read. Open the signing page again and sign once more; if it "
        "happens again, reload the page."
    ),
    NOT_SIGNED: _("The request is not signed. Choose your signing key file and sign it."),
}

SIGN_IN = {
    WRONG_KEY_TYPE: _(
        "This is your signing key. Sign-in uses the authentication key: choose the key file whose "
        "name starts with AUTH_RSA256."
    ),
    CERTIFICATE_EXPIRED: _(
        "The certificate of this key has expired. Get a new key at the certification centre, or "
        "sign in with your IIN/BIN and password."
    ),
    CERTIFICATE_NOT_YET_VALID: _(
        "The certificate of this key is not valid yet. Sign in with your current key, or with "
        "your IIN/BIN and password."
    ),
    CERTIFICATE_REVOKED: _(
        "The certificate of this key was revoked. Get a new key at the certification centre, or "
        "sign in with your IIN/BIN and password."
    ),
    UNTRUSTED_ISSUER: _(
        "This key was not issued by a certification centre the portal trusts. Use a key of the "
        "National Certification Centre of the Republic of Kazakhstan."
    ),
    ANOTHER_PERSONS_CERTIFICATE: _(
        "The certificate of this key does not name a valid IIN. Use your own authentication key."
    ),
    SIGNATURE_MISMATCH: _(
        "The signature does not match this sign-in page (it was made for another one). Reload the "
        "page and sign in again."
    ),
    SIGNATURE_UNREADABLE: _("The signature could not be read. Reload the page and sign in again."),
    NOT_SIGNED: _("Choose your authentication key file and enter its password to sign in."),
}


# The same faults when an official (the head) signs a result or refusal in the back office.
OFFICIAL = {
    WRONG_KEY_TYPE: _(
        "You signed with your authentication key (its file name starts with AUTH_RSA256). "
        "Results are signed with your signing key: choose the key file whose name starts with "
        "RSA256 and sign again."
    ),
    CERTIFICATE_EXPIRED: _(
        "The certificate of your signing key has expired. Nothing was signed or issued. Get a new "
        "key at the certification centre, then sign again."
    ),
    CERTIFICATE_NOT_YET_VALID: _(
        "The certificate of your signing key is not valid yet. Nothing was signed or issued. Sign "
        "with your current key."
    ),
    CERTIFICATE_REVOKED: _(
        "The certificate of your signing key was revoked. Nothing was signed or issued. Get a new "
        "key at the certification centre, then sign again."
    ),
    UNTRUSTED_ISSUER: _(
        "Your key was not issued by a certification centre the platform trusts. Sign with a key of "
        "the National Certification Centre of the Republic of Kazakhstan."
    ),
    ANOTHER_PERSONS_CERTIFICATE: _(
        "This key is not yours: its certificate names another person or organisation. Nothing was "
        "signed or issued. Sign with your own signing key, an employee key of this provider."
    ),
    SIGNATURE_MISMATCH: _(
        "The signature does not match the document shown: it changed after you opened the page. "
        "Read the document again and sign once more."
    ),
    SIGNATURE_UNREADABLE: _("The signature could not be read. Reload the page and sign once more."),
    NOT_SIGNED: _("The result is not signed. Choose your signing key file and sign it."),
}


def code_of(reason: Reason | str | None) -> str:
    """The stable code of a verification's reason (an unknown one reads as unreadable)."""
    if reason is None:
        return NOT_SIGNED
    return _CODE_OF.get(reason, reason if reason in CODES else SIGNATURE_UNREADABLE)


def signing_fault(reason: Reason | str | None) -> Fault:
    """The fault of a request's signature: its code and what the applicant should do."""
    code = code_of(reason)
    return Fault(code, SIGNING[code])


def sign_in_fault(reason: Reason | str | None) -> Fault:
    """The fault of an EDS sign-in: its code and what the applicant should do."""
    code = code_of(reason)
    return Fault(code, SIGN_IN[code])


def official_fault(reason: Reason | str | None) -> Fault:
    """The fault of an official's signature on a result: its code and what to do."""
    code = code_of(reason)
    return Fault(code, OFFICIAL[code])
