"""The test certification centre: a root CA, an issuing CA, the key files it issues and its CRL.

It stands in for NUC RK (shared/domain/law-facts.md section 7) so that the platform can be run and
tested end to end: key files are PKCS#12 shaped like the national ones (RSA 2048, a separate
authentication key and signing key, subject SERIALNUMBER=IIN..., CN, and O + OU=BIN... for an
employee of a legal entity). Everything lives in one directory (settings.VAR_DIR / "pki", or
$QYZMET_PKI_DIR):

    root.pem, root.key.pem          the trust anchor
    issuing.pem, issuing.key.pem    the CA that signs key files and the CRL
    issuing.crl                     the current CRL (DER), replaced on every revocation
    root.crl                        the root's CRL (DER, empty: the issuing CA is never revoked)
    issued/<serial hex>.pem         every certificate issued, as a CA's repository keeps them

As NUC RK's do, certificates say where their revocation status is published: a CRL distribution
point and an OCSP responder (Authority Information Access) under the centre's base URL
(settings.QYZMET_PKI_URL), served beside the gateway simulators by `qyzmet.pki.http`.

This module knows nothing of the database; `registry.py` keeps the `IssuedCertificate` model in
step with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

AUTH = "auth"
SIGN = "sign"
PURPOSES = (AUTH, SIGN)

KEY_SIZE = 2048
# CA certificates start in 2000 so that test key files can be backdated to any moment of the
# platform's history (the regulations in the catalogue date from 2013).
CA_NOT_BEFORE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
CA_YEARS = 40
# NUC RK issues key files for one year.
DEFAULT_LIFETIME = dt.timedelta(days=365)
CRL_LIFETIME = dt.timedelta(days=7)
# An OCSP answer is fresh for a day; a validator asks again after that.
OCSP_LIFETIME = dt.timedelta(days=1)
# Where the gateway simulators listen by default (`python -m qyzmet gateway serve`).
DEFAULT_BASE_URL = "http://127.0.0.1:8101"
CRL_PATH, ROOT_CRL_PATH, OCSP_PATH, ISSUER_PATH = "pki/crl", "pki/root-crl", "pki/ocsp", "pki/issuing.cer"

ORGANISATION = "Qyzmet TEST certification centre (not NUC RK)"


class PKIError(Exception):
    """Something the caller asked of the certification centre that it cannot do."""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise PKIError(f"{moment.isoformat()} has no time zone")
    return moment.astimezone(dt.UTC)


def write_file(path: str | os.PathLike, data: bytes, private: bool = False) -> Path:
    """Write `data` to `path` whole: aside, then renamed, so no reader sees half a file.

    A private file (a private key, a PKCS#12 key file) is owner-only (0600) from the moment it
    exists: mkstemp creates it so, and it is never widened, whatever the umask; anything else is
    0644.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def write_private(path: str | os.PathLike, data: bytes) -> Path:
    """Write a private key or key file readable and writable by its owner only (0600)."""
    return write_file(path, data, private=True)


def serial_hex(serial: int) -> str:
    return f"{serial:X}"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def purpose_of(certificate: x509.Certificate) -> str | None:
    """`sign` for a signing key, `auth` for an authentication key, None for anything else.

    Signing: key usage digitalSignature + nonRepudiation and no clientAuth. Authentication:
    digitalSignature + keyEncipherment, extended key usage clientAuth and no nonRepudiation, so
    that a log-in key can never pass for the applicant's signature (EDS Law Art. 10: use must
    match the certificate).
    """
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    try:
        eku = set(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        eku = set()
    client_auth = ExtendedKeyUsageOID.CLIENT_AUTH in eku
    if usage.digital_signature and usage.content_commitment and not client_auth:
        return SIGN
    if usage.digital_signature and usage.key_encipherment and client_auth and not usage.content_commitment:
        return AUTH
    return None


def subject_numbers(certificate: x509.Certificate) -> tuple[str | None, str | None]:
    """The IIN (SERIALNUMBER=IIN...) and BIN (OU=BIN...) a certificate names, or None."""

    def attribute(oid, prefix):
        for attr in certificate.subject.get_attributes_for_oid(oid):
            value = str(attr.value)
            if value.startswith(prefix):
                return value[len(prefix) :]
        return None

    return attribute(NameOID.SERIAL_NUMBER, "IIN"), attribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "BIN")


@dataclass(frozen=True)
class Issued:
    """A key file just issued: the PKCS#12 bytes and what is inside them."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    p12: bytes
    purpose: str

    @property
    def serial(self) -> str:
        return serial_hex(self.certificate.serial_number)


@dataclass(frozen=True)
class Trust:
    """What a verifier needs: the trusted root, the issuing CA under it and the current CRL."""

    root: x509.Certificate
    issuing: x509.Certificate
    crl: x509.CertificateRevocationList | None


def load_p12(data: bytes, password: str | bytes) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The private key and certificate of a key file; PKIError on a wrong password or a bad file."""
    if isinstance(password, str):
        password = password.encode()
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise PKIError("cannot open the key file: wrong password or not a PKCS#12 file") from exc
    if key is None or certificate is None or not isinstance(key, rsa.RSAPrivateKey):
        raise PKIError("the key file holds no RSA key with its certificate")
    return key, certificate


def _p12_encryption(password: bytes):
    # PBES2 with AES-256 and an SHA-256 MAC: what current Java (NCALayer) and OpenSSL 3 read.
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(20000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password)
    )


class CertificationCentre:
    """The test CA kept in one directory; created on first use."""

    def __init__(self, directory: str | os.PathLike, base_url: str | None = None):
        self.directory = Path(directory)
        self._base_url = base_url
        self._cache: dict = {}

    @property
    def base_url(self) -> str:
        """Where the centre publishes its CRLs and answers OCSP: the given URL, else
        settings.QYZMET_PKI_URL (the gateway's URL by default), else the simulators' default."""
        if self._base_url:
            return self._base_url.rstrip("/")
        from django.conf import settings

        configured = getattr(settings, "QYZMET_PKI_URL", None) if settings.configured else None
        return (configured or DEFAULT_BASE_URL).rstrip("/")

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    @classmethod
    def default(cls) -> CertificationCentre:
        """The platform's centre: $QYZMET_PKI_DIR, else settings.VAR_DIR / "pki"."""
        configured = os.environ.get("QYZMET_PKI_DIR")
        if configured:
            return cls(configured)
        from django.conf import settings

        return cls(Path(settings.VAR_DIR) / "pki")

    # -- files -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self):
        # Two processes (a web worker and a CLI call) may create the CA or revoke at once; the
        # lock keeps the CA from being created twice and CRL numbers from being reused.
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, name: str, data: bytes, private: bool = False) -> Path:
        return write_file(self.directory / name, data, private=private)

    @property
    def crl_path(self) -> Path:
        return self.directory / "issuing.crl"

    def exists(self) -> bool:
        return all((self.directory / n).exists() for n in ("root.pem", "issuing.pem", "issuing.key.pem"))

    def ensure(self) -> CertificationCentre:
        """Create the root CA, the issuing CA and an empty CRL unless they are there already."""
        if self.exists():
            return self
        with self._locked():
            if not self.exists():
                self._create()
        return self

    def _create(self) -> None:
        now = dt.datetime.now(dt.UTC)
        until = now + dt.timedelta(days=365 * CA_YEARS)
        root_key, issuing_key = new_key(), new_key()
        root_name = _name("Qyzmet TEST Root CA")
        root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(CA_NOT_BEFORE)
            .not_valid_after(until)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(self._ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        issuing = (
            x509.CertificateBuilder()
            .subject_name(_name("Qyzmet TEST Issuing CA (RSA)"))
            .issuer_name(root_name)
            .public_key(issuing_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(CA_NOT_BEFORE)
            .not_valid_after(until - dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(self._ca_usage(), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(issuing_key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
            )
            .add_extension(self._distribution_point(ROOT_CRL_PATH), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        # The CA keys are kept unencrypted: this is a test centre whose whole point is that anyone
        # running the platform can issue keys; the files are at least private to their owner.
        self._write("root.key.pem", self._pem_key(root_key), private=True)
        self._write("issuing.key.pem", self._pem_key(issuing_key), private=True)
        self._write("root.pem", root.public_bytes(serialization.Encoding.PEM))
        self._write("issuing.pem", issuing.public_bytes(serialization.Encoding.PEM))
        self._cache.clear()
        self._publish_crl(issuing, issuing_key, [], number=1)
        self._publish_crl(root, root_key, [], number=1, name="root.crl")

    def _distribution_point(self, path: str) -> x509.CRLDistributionPoints:
        return x509.CRLDistributionPoints(
            [
                x509.DistributionPoint(
                    full_name=[x509.UniformResourceIdentifier(self.url(path))],
                    relative_name=None,
                    reasons=None,
                    crl_issuer=None,
                )
            ]
        )

    @staticmethod
    def _ca_usage() -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=False,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=True,
            crl_sign=True,
            encipher_only=False,
            decipher_only=False,
        )

    @staticmethod
    def _pem_key(key) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def _load(self, name: str):
        path = self.directory / name
        # CA certificates and keys are parsed once (they only change if the directory is made
        # anew); the CRL is read every time, since a revocation in another process replaces it.
        info = path.stat()
        stamp = (info.st_ino, info.st_mtime_ns)
        cached = self._cache.get(name)
        if cached and cached[0] == stamp and not name.endswith(".crl"):
            return cached[1]
        data = path.read_bytes()
        if name.endswith(".key.pem"):
            value = serialization.load_pem_private_key(data, password=None)
        elif name.endswith(".crl"):
            value = x509.load_der_x509_crl(data)
        else:
            value = x509.load_pem_x509_certificate(data)
        self._cache[name] = (stamp, value)
        return value

    @property
    def root(self) -> x509.Certificate:
        return self.ensure()._load("root.pem")

    @property
    def issuing(self) -> x509.Certificate:
        return self.ensure()._load("issuing.pem")

    def crl(self) -> x509.CertificateRevocationList | None:
        self.ensure()
        return self._load(self.crl_path.name) if self.crl_path.exists() else None

    def trust(self) -> Trust:
        return Trust(root=self.root, issuing=self.issuing, crl=self.crl())

    # -- issuing -----------------------------------------------------------------------------

    def issue(
        self,
        *,
        iin: str,
        password: str | bytes,
        purpose: str = SIGN,
        name: str | None = None,
        bin: str | None = None,  # noqa: A002 - the domain's word
        organisation: str | None = None,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> Issued:
        """A PKCS#12 key file for one person and one purpose (`auth` or `sign`).

        With `bin` the certificate is an employee's of that legal entity: O=<organisation>,
        OU=BIN<bin>. IIN and BIN are taken as given; callers check them (qyzmet.identity.numbers).
        """
        if purpose not in PURPOSES:
            raise PKIError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
        now = dt.datetime.now(dt.UTC)
        not_before = _utc(not_before) if not_before else now
        not_after = _utc(not_after) if not_after else not_before + DEFAULT_LIFETIME
        if not_after <= not_before:
            raise PKIError("not_after must be later than not_before")
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.COMMON_NAME, name or "TEST USER"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
        ]
        if bin:
            attributes += [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or f"TEST ORGANISATION {bin}"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin}"),
            ]
        issuing, issuing_key = self.issuing, self._load("issuing.key.pem")
        key = new_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(issuing.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(self._leaf_usage(purpose), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuing.public_key()), critical=False
            )
            .add_extension(self._distribution_point(CRL_PATH), critical=False)
            .add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(self.url(OCSP_PATH)),
                        ),
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.CA_ISSUERS,
                            x509.UniformResourceIdentifier(self.url(ISSUER_PATH)),
                        ),
                    ]
                ),
                critical=False,
            )
        )
        if purpose == AUTH:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
            )
        certificate = builder.sign(issuing_key, hashes.SHA256())
        if isinstance(password, str):
            password = password.encode()
        # The alias mirrors the national file names: AUTH_RSA256_... and RSA256_...
        alias = ("AUTH_RSA256_" if purpose == AUTH else "RSA256_") + serial_hex(certificate.serial_number)
        p12 = pkcs12.serialize_key_and_certificates(
            alias.encode(), key, certificate, [issuing], _p12_encryption(password)
        )
        self._write(
            f"issued/{serial_hex(certificate.serial_number)}.pem",
            certificate.public_bytes(serialization.Encoding.PEM),
        )
        return Issued(certificate=certificate, private_key=key, p12=p12, purpose=purpose)

    @staticmethod
    def _leaf_usage(purpose: str) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=True,
            content_commitment=purpose == SIGN,
            key_encipherment=purpose == AUTH,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )

    def issued_certificate(self, serial: int | str) -> x509.Certificate:
        """A certificate this centre issued, by serial (int or hex); PKIError if it did not."""
        number = int(serial, 16) if isinstance(serial, str) else serial
        path = self.directory / "issued" / f"{serial_hex(number)}.pem"
        if not path.exists():
            raise PKIError(
                f"certificate {serial_hex(number)} was not issued by the centre in {self.directory}"
            )
        return x509.load_pem_x509_certificate(path.read_bytes())

    # -- revocation --------------------------------------------------------------------------

    def revoke(
        self,
        serial: int | str,
        reason: x509.ReasonFlags = x509.ReasonFlags.unspecified,
        when: dt.datetime | None = None,
    ) -> x509.CertificateRevocationList:
        """Put a certificate on the CRL and publish the new CRL (its number one higher).

        The published CRL is the record of what is revoked: each new one carries every entry of
        the previous one, so the list never depends on the database being the one the CA was
        used with. Revoking twice keeps the first entry and publishes nothing new.
        """
        certificate = self.issued_certificate(serial)
        when = _utc(when) if when else dt.datetime.now(dt.UTC)
        with self._locked():
            current = self.crl()
            if current is not None and current.get_revoked_certificate_by_serial_number(
                certificate.serial_number
            ):
                return current
            entries = list(current) if current is not None else []
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(certificate.serial_number)
                .revocation_date(when)
            )
            # RFC 5280 5.3.1: the reason code is left out rather than given as unspecified.
            if reason != x509.ReasonFlags.unspecified:
                entry = entry.add_extension(x509.CRLReason(reason), critical=False)
            entries.append(entry.build())
            return self._publish_crl(
                self.issuing, self._load("issuing.key.pem"), entries, number=crl_number(current) + 1
            )

    def current_crl(self, name: str = "issuing.crl") -> x509.CertificateRevocationList:
        """The CRL to publish (`issuing.crl` or `root.crl`), republished with the same entries and
        the next number once half its lifetime has passed, so a validator never gets a stale one."""
        self.ensure()
        crl = self._load(name) if (self.directory / name).exists() else None
        if crl is not None and crl.next_update_utc - dt.datetime.now(dt.UTC) > CRL_LIFETIME / 2:
            return crl
        with self._locked():
            crl = self._load(name) if (self.directory / name).exists() else None
            if crl is not None and crl.next_update_utc - dt.datetime.now(dt.UTC) > CRL_LIFETIME / 2:
                return crl
            if name == "root.crl":
                ca, key = self.root, self._load("root.key.pem")
            else:
                ca, key = self.issuing, self._load("issuing.key.pem")
            entries = list(crl) if crl is not None else []
            return self._publish_crl(ca, key, entries, number=crl_number(crl) + 1, name=name)

    def status(self, serial: int) -> tuple[str, dt.datetime | None, x509.ReasonFlags | None]:
        """`good`, `revoked` (with when and why) or `unknown` (not issued here), from the CRL."""
        try:
            self.issued_certificate(serial)
        except PKIError:
            return "unknown", None, None
        entry = self.current_crl().get_revoked_certificate_by_serial_number(serial)
        if entry is None:
            return "good", None, None
        try:
            reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            reason = None
        return "revoked", entry.revocation_date_utc, reason

    def ocsp_response(self, request_der: bytes) -> bytes:
        """An OCSP response (RFC 6960, DER) to one request, signed by the issuing CA itself."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        issuing, issuing_key = self.issuing, self._load("issuing.key.pem")
        if request.issuer_key_hash != _key_hash(issuing, request.hash_algorithm):
            # Not a certificate of this CA: RFC 6960 2.3 "unauthorized".
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        status, revoked_at, reason = self.status(request.serial_number)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status={
                "good": ocsp.OCSPCertStatus.GOOD,
                "revoked": ocsp.OCSPCertStatus.REVOKED,
                "unknown": ocsp.OCSPCertStatus.UNKNOWN,
            }[status],
            this_update=now,
            next_update=now + OCSP_LIFETIME,
            revocation_time=revoked_at,
            revocation_reason=reason,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuing)
        with contextlib.suppress(x509.ExtensionNotFound):
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
            builder = builder.add_extension(nonce, critical=False)
        return builder.sign(issuing_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def _publish_crl(
        self, issuing, issuing_key, entries, number: int, name: str = "issuing.crl"
    ) -> x509.CertificateRevocationList:
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuing.subject)
            .last_update(now)
            .next_update(now + CRL_LIFETIME)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuing.public_key()), critical=False
            )
        )
        for entry in entries:
            builder = builder.add_revoked_certificate(entry)
        crl = builder.sign(issuing_key, hashes.SHA256())
        self._write(name, crl.public_bytes(serialization.Encoding.DER))
        return crl


def _key_hash(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    """The hash of a certificate's public key bits, as an OCSP request's issuerKeyHash names it."""
    from asn1crypto import keys as asn1_keys

    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # The BIT STRING's contents less its leading unused-bits octet (RFC 6960 4.1.1).
    bits = asn1_keys.PublicKeyInfo.load(spki)["public_key"].contents[1:]
    digest = hashes.Hash(algorithm)
    digest.update(bits)
    return digest.finalize()


def crl_number(crl: x509.CertificateRevocationList | None) -> int:
    if crl is None:
        return 0
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return 0


def reason_of(crl: x509.CertificateRevocationList, serial: int) -> tuple[dt.datetime, str] | None:
    """When a certificate was revoked and why (a CRL reason name), or None if it is not on the CRL."""
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    if entry is None:
        return None
    try:
        reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
    except x509.ExtensionNotFound:
        reason = x509.ReasonFlags.unspecified.value
    return entry.revocation_date_utc, reason
