"""OpenSSL's own check of a detached CMS signature: what any holder of the evidence can run."""

import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization

PEM = serialization.Encoding.PEM


def cms_verify(directory: Path, centre, content: bytes, signature: bytes, crl: bool = True):
    """`openssl cms -verify -binary -inform DER -in sig.p7s -content content -CAfile root+issuing`
    (with the centre's revocation list and -crl_check unless `crl` is False); the finished process,
    whose stderr says "Verification successful" or why not."""
    (directory / "content").write_bytes(content)
    (directory / "signature.p7s").write_bytes(signature)
    trusted = centre.root.public_bytes(PEM) + centre.issuing.public_bytes(PEM)
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", directory / "signature.p7s",
               "-content", directory / "content", "-CAfile", directory / "ca.pem", "-out", "/dev/null"]  # fmt: skip
    if crl:
        # `openssl cms` has no -CRLfile: the CRL goes into the CA file, which may hold both.
        trusted += centre.current_crl().public_bytes(PEM)
        command.append("-crl_check")
    (directory / "ca.pem").write_bytes(trusted)
    return subprocess.run([str(c) for c in command], capture_output=True, text=True)
