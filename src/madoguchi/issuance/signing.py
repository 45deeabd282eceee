"""PAdES signatures (baseline B-B) with the city's key, and the demo certificate authority.

Production: ``MADOGUCHI_SIGNING_PKCS12`` names a PKCS#12 file with the city's key, its
certificate and the chain up to the root; ``MADOGUCHI_SIGNING_PKCS12_PASSWORD`` unlocks it.
The demo and the tests create a root CA and a city certificate with :func:`create_demo_ca`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

DEMO_CITY = "緑ヶ丘市"
CITY_P12 = "city.p12"
ROOT_CERT = "demo-root-ca.pem"
ROOT_KEY = "demo-root-ca-key.pem"
FIELD_NAME = "CitySignature"


class SigningUnavailable(RuntimeError):
    """No usable signing key: the PKCS#12 file is missing, unreadable or locked."""


@dataclass(frozen=True)
class SigningIdentity:
    """The city's signer and the roots its signatures are checked against."""

    signer: signers.SimpleSigner
    trust_roots: tuple[asn1_x509.Certificate, ...]

    @property
    def subject(self) -> str:
        return self.signer.signing_cert.subject.human_friendly


def _password(value: str | bytes | None) -> bytes | None:
    if not value:
        return None
    return value.encode() if isinstance(value, str) else value


def load_identity(path: str | Path | None = None, password: str | None = None) -> SigningIdentity:
    """The signer from the PKCS#12 file (default: the settings).

    Trust roots are the self-signed certificates in the file; a file without one trusts the
    chain certificates it holds (or, with none, the signing certificate itself).
    """
    path = Path(path or settings.SIGNING_PKCS12)
    password = settings.SIGNING_PKCS12_PASSWORD if password is None else password
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningUnavailable(f"cannot read the signing key file {path}: {exc}") from exc
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, (), passphrase=_password(password))
    except ValueError as exc:
        raise SigningUnavailable(f"cannot open the signing key file {path}") from exc
    own = signer.signing_cert.issuer_serial
    others = [c for c in signer.cert_registry if c.issuer_serial != own]
    roots = tuple(c for c in others if c.self_signed != "no") or tuple(others) or (
        signer.signing_cert,
    )
    return SigningIdentity(signer=signer, trust_roots=roots)


def sign_pdf(pdf: bytes, *, reason: str, location: str,
             identity: SigningIdentity | None = None) -> bytes:
    """``pdf`` with an invisible PAdES B-B signature (SHA-256) over the whole file."""
    identity = identity or load_identity()
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.PdfSigner(meta, signer=identity.signer).sign_pdf(writer)
    return out.getvalue()


# --- the demo certificate authority ---------------------------------------------------------

def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def _demo_root(directory: Path, organisation: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    cert_path, key_path = directory / ROOT_CERT, directory / ROOT_KEY
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = _name(f"{organisation} Demo Root CA", organisation)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _usable(p12_path: Path, password: bytes | None, root: x509.Certificate) -> bool:
    try:
        _key, cert, _others = pkcs12.load_key_and_certificates(p12_path.read_bytes(), password)
    except (OSError, ValueError):
        return False
    if cert is None or cert.issuer != root.subject:
        return False
    return cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


def create_demo_ca(directory: Path, *, city: str = DEMO_CITY, password: str = "") -> Path:
    """A demo root CA and a city signing certificate as PKCS#12 in ``directory`` (idempotent).

    The certificate's subject is CN "<city>長", O "<city> (DEMO)"; an existing, still valid
    file signed by the root is kept. Returns the PKCS#12 path.
    """
    directory.mkdir(parents=True, exist_ok=True)
    organisation = f"{city} (DEMO)"
    root_key, root = _demo_root(directory, organisation)
    p12_path = directory / CITY_P12
    if p12_path.exists() and _usable(p12_path, _password(password), root):
        return p12_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{city}長", organisation)).issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 5))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode()) if password
        else serialization.NoEncryption()
    )
    _write_private(p12_path, pkcs12.serialize_key_and_certificates(
        name=f"{city}長".encode(), key=key, cert=cert, cas=[root],
        encryption_algorithm=encryption))
    return p12_path
