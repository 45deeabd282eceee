"""Uploads and issued documents in an S3-compatible bucket (moto's server, started here): stored
there, read back only through the application's authorised views, never readable anonymously."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.conftest import VALID_POST, client_for, fill_wizard, page_url
from madoguchi.forms.tests.field_wizard import submit
from madoguchi.issuance import services

pytestmark = pytest.mark.django_db

moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the [test] extras")
boto3 = pytest.importorskip("boto3", reason="boto3 comes with django-storages[s3]")

BUCKET = "madoguchi-test"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server on a free port, for this module's tests."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(),
                                            verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Any:
    """An empty private bucket, and the default storage pointed at it as settings.py does when
    MADOGUCHI_S3_BUCKET is set."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    from madoguchi import settings as project_settings

    environment = {
        "MADOGUCHI_S3_BUCKET": BUCKET, "MADOGUCHI_S3_ENDPOINT_URL": s3_endpoint,
        "MADOGUCHI_S3_REGION": "us-east-1", "MADOGUCHI_S3_ACCESS_KEY_ID": "test-key",
        "MADOGUCHI_S3_SECRET_ACCESS_KEY": "test-secret", "MADOGUCHI_S3_PREFIX": "city/",
    }
    settings.STORAGES = {**settings.STORAGES,
                         "default": project_settings.s3_storage(environment)}
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_settings_pick_s3_only_when_a_bucket_is_named():
    from madoguchi import settings as project_settings

    assert project_settings.s3_storage({}) is None
    options = project_settings.s3_storage({"MADOGUCHI_S3_BUCKET": "b"})["OPTIONS"]
    assert options["bucket_name"] == "b"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_attachment_and_document_live_in_the_bucket_and_only_the_app_serves_them(
        bucket, resident_client, staff_user, resident):
    from madoguchi.applications.models import StatusEvent

    default_storage.exists("probe")  # the lazy default storage is built from the settings
    assert type(default_storage._wrapped).__name__ == "S3Storage"

    # The resident attaches a file on the commute page of the form and sends the application.
    fill_wizard(resident_client, ["applicant", "student"])
    response = resident_client.post(page_url("commute"), {
        **VALID_POST["commute"], "pass_copy": SimpleUploadedFile("定期券.png", PNG, "image/png")})
    assert response.status_code == 302
    fill_wizard(resident_client, ["bank", "consent"])
    application = submit(resident_client, "tsugaku-hojo")
    [item] = application.answers["pass_copy"]

    # A clerk decides and issues the notice.
    StatusEvent.objects.create(application=application, from_status=application.status,
                               to_status="approved", actor=staff_user)
    document = services.issue(application, "grant", staff_user)

    # Both objects are in the bucket, under the configured prefix, and nowhere else.
    keys = {o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert keys == {f"city/{item['storage_name']}", f"city/{document.pdf.name}"}
    stored_pdf = bucket.get_object(Bucket=BUCKET, Key=f"city/{document.pdf.name}")["Body"].read()
    assert stored_pdf.startswith(b"%PDF")

    # Nobody gets them by address: an anonymous GET of each object is refused by the store.
    for key in keys:
        anonymous = httpx.get(f"{bucket.meta.endpoint_url}/{BUCKET}/{key}")
        assert anonymous.status_code == 403, key
        assert PNG not in anonymous.content and b"%PDF" not in anonymous.content

    # The application streams them to those who may read them, and to nobody else.
    staff = client_for(staff_user)
    response = staff.get(f"/staff/applications/{application.public_id}/files/pass_copy/0/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    response = resident_client.get(f"/my/documents/{document.public_id}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_pdf
    response = staff.get(f"/staff/documents/{document.public_id}/download/")
    assert b"".join(response.streaming_content) == stored_pdf
    assert client_for(None).get(
        f"/my/documents/{document.public_id}/download/").status_code == 302
    # The pages never hand out a bucket address.
    case = staff.get(f"/staff/applications/{application.public_id}/").content.decode()
    assert bucket.meta.endpoint_url not in case and "X-Amz-" not in case
