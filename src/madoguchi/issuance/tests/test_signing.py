"""Signatures: PAdES with the city's certificate, validated by pyHanko against the root."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from madoguchi.issuance import signing
from madoguchi.issuance.signing import SigningUnavailable, create_demo_ca, load_identity

from .test_pdf import NOTICE


@pytest.fixture(scope="module")
def signed(signing_dir) -> bytes:
    from madoguchi.issuance import pdf

    identity = load_identity(signing_dir / "city.p12", "")
    return signing.sign_pdf(pdf.render_pdf(NOTICE), reason="電子交付", location="緑ヶ丘市",
                            identity=identity)


def test_the_signature_is_intact_trusted_and_untouched(signed, signing_dir):
    identity = load_identity(signing_dir / "city.p12", "")
    reader = PdfFileReader(io.BytesIO(signed))
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=list(identity.trust_roots), allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.summary() == "INTACT:TRUSTED,UNTOUCHED"
    assert status.signing_cert.subject.native["common_name"] == "緑ヶ丘市長"
    assert status.signing_cert.subject.native["organization_name"] == "緑ヶ丘市 (DEMO)"
    assert "/ETSI.CAdES.detached" in str(signature.sig_object["/SubFilter"])
    assert status.md_algorithm == "sha256"


def test_the_root_is_the_trust_anchor(signing_dir):
    identity = load_identity(signing_dir / "city.p12", "")
    (root,) = identity.trust_roots
    assert root.self_signed != "no"
    assert root.ca
    assert identity.signer.signing_cert.issuer == root.subject


def test_creating_the_demo_ca_again_keeps_the_key(tmp_path):
    first = create_demo_ca(tmp_path).read_bytes()
    assert create_demo_ca(tmp_path).read_bytes() == first
    (tmp_path / "city.p12").unlink()
    create_demo_ca(tmp_path)  # a new city certificate under the same root
    assert (tmp_path / "city.p12").read_bytes() != first
    assert load_identity(tmp_path / "city.p12", "").trust_roots[0].subject.native[
        "common_name"] == "緑ヶ丘市 (DEMO) Demo Root CA"


def test_a_password_protected_file(tmp_path):
    path = create_demo_ca(tmp_path, password="kagi-no-kotoba")
    assert load_identity(path, "kagi-no-kotoba").subject
    with pytest.raises(SigningUnavailable):
        load_identity(path, "wrong")


def test_missing_or_broken_files_say_so(tmp_path):
    with pytest.raises(SigningUnavailable):
        load_identity(tmp_path / "nothing.p12", "")
    (tmp_path / "broken.p12").write_bytes(b"not a pkcs12")
    with pytest.raises(SigningUnavailable):
        load_identity(tmp_path / "broken.p12", "")


def test_the_command_creates_the_files_once(tmp_path):
    from django.core.management import call_command

    call_command("create_demo_signing_ca", directory=str(tmp_path), verbosity=0)
    first = (tmp_path / "city.p12").read_bytes()
    call_command("create_demo_signing_ca", directory=str(tmp_path), verbosity=0)
    assert (tmp_path / "city.p12").read_bytes() == first
    assert oct((tmp_path / "city.p12").stat().st_mode)[-3:] == "600"
    assert oct((tmp_path / signing.ROOT_KEY).stat().st_mode)[-3:] == "600"
