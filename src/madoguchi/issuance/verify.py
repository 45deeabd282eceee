"""Checking an uploaded PDF against an issued document: the city's signature and the hash.

A file passes when (1) it is a PDF, (2) every signature in it is intact and cryptographically
valid, (3) one of them chains to the city's trust root and covers the whole file (nothing added
after signing), and (4) its SHA-256 equals the one stored when the document was issued.
"""

from __future__ import annotations

import enum
import hashlib
import io
import logging
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from . import signing
from .models import IssuedDocument

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class Verdict(enum.StrEnum):
    VALID = "valid"
    TAMPERED = "tampered"  # a signature does not match the bytes it covers
    MODIFIED = "modified"  # the city's signature is intact but the file was extended after it
    DIFFERENT = "different"  # a genuine document of the city, but not this one
    UNKNOWN_SIGNER = "unknown_signer"
    UNSIGNED = "unsigned"
    NOT_PDF = "not_pdf"
    UNREADABLE = "unreadable"
    UNAVAILABLE = "unavailable"  # no trust root configured: nothing can be said


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    sha256: str
    signer: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.VALID

    def message(self, city: str, number: str) -> str:
        """What the verdict means, in the active language."""
        values = {"city": city, "number": number}
        messages = {
            Verdict.VALID: _("This document was issued by %(city)s and has not been altered."),
            Verdict.TAMPERED: _(
                "The electronic signature does not match the contents: the file was altered "
                "after it was signed. Do not rely on it."
            ),
            Verdict.MODIFIED: _(
                "Something was added to or changed in the file after %(city)s signed it. "
                "Do not rely on it."
            ),
            Verdict.DIFFERENT: _(
                "The file carries a valid signature of %(city)s, but it is not document "
                "%(number)s: it is a different file."
            ),
            Verdict.UNKNOWN_SIGNER: _(
                "The file is signed, but the signature cannot be confirmed as one of "
                "%(city)s: the signer is unknown."
            ),
            Verdict.UNSIGNED: _(
                "The file has no electronic signature, so it is not a document issued by "
                "%(city)s."
            ),
            Verdict.NOT_PDF: _("The file is not a PDF. Choose the PDF file of the document."),
            Verdict.UNREADABLE: _(
                "The file looks like a PDF but cannot be read: it is damaged or altered."
            ),
            Verdict.UNAVAILABLE: _(
                "Documents cannot be checked at the moment. Please try again later."
            ),
        }
        return messages[self.verdict] % values


def looks_like_pdf(data: bytes) -> bool:
    """A PDF header within the first kilobyte (where readers look for it)."""
    return b"%PDF-" in data[:1024]


def check_signatures(data: bytes, trust_roots: list[asn1_x509.Certificate]) -> tuple[Verdict, str]:
    """The signature verdict for a PDF's bytes (VALID here means: a genuine city document)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any parse failure of an untrusted file means "unreadable"
        logger.info("uploaded PDF could not be read", exc_info=True)
        return Verdict.UNREADABLE, ""
    if not signatures:
        return Verdict.UNSIGNED, ""
    context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
    trusted = []
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception:  # a malformed signature is a broken signature
            logger.info("uploaded PDF has an unreadable signature", exc_info=True)
            return Verdict.TAMPERED, ""
        if not (status.intact and status.valid):
            return Verdict.TAMPERED, ""
        if status.trusted:
            trusted.append(status)
    if not trusted:
        return Verdict.UNKNOWN_SIGNER, ""
    signer = trusted[0].signing_cert.subject.human_friendly
    if not any(s.coverage == SignatureCoverageLevel.ENTIRE_FILE for s in trusted):
        return Verdict.MODIFIED, signer
    return Verdict.VALID, signer


def verify_upload(
    document: IssuedDocument, data: bytes,
    trust_roots: list[asn1_x509.Certificate] | None = None,
) -> VerificationResult:
    """Check ``data`` (an uploaded file) against ``document``; never raises for bad input."""
    digest = hashlib.sha256(data).hexdigest()
    if not looks_like_pdf(data):
        return VerificationResult(Verdict.NOT_PDF, digest)
    if trust_roots is None:
        try:
            trust_roots = list(signing.load_identity().trust_roots)
        except signing.SigningUnavailable:
            logger.error("no signing identity: uploaded documents cannot be verified")
            return VerificationResult(Verdict.UNAVAILABLE, digest)
    verdict, signer = check_signatures(data, trust_roots)
    if verdict == Verdict.VALID and digest != document.sha256:
        verdict = Verdict.DIFFERENT
    return VerificationResult(verdict, digest, signer)
