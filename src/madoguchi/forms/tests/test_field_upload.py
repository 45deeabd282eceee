"""The file field: content sniffing, storage, signed references, messages and the wizard."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.forms.fields import FieldError, registry
from madoguchi.forms.fields import upload as fields_upload
from madoguchi.forms.fields.upload import (
    FileField,
    display_name,
    download_name,
    open_upload,
    sniff_content_type,
    upload_item,
)
from madoguchi.forms.tests.field_helpers import error_of
from madoguchi.forms.tests.field_wizard import publish_form, submit

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40
HEIF_GENERIC = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1miafheic" + b"\x00" * 40
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 40
HYPOTHESIS = settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Stored files go to a temporary folder, never into the repository."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def build(**spec) -> FileField:
    field = registry.build({"key": "pass_copy", "type": "file",
                            "label": {"ja": "通学定期券の写し", "en": "Copy of the pass"}, **spec})
    assert isinstance(field, FileField)
    return field


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_of(*uploads, key: str = "pass_copy") -> MultiValueDict:
    return MultiValueDict({key: list(uploads)})


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def refs_of(raw: dict) -> dict[str, list[str]]:
    return {"pass_copy-stored": [f["ref"] for f in raw["files"]]}


def post_refs(raw: dict) -> MultiValueDict:
    return MultiValueDict(refs_of(raw))


# --- content sniffing ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf"), (HEIC, "image/heic"),
     (HEIF_GENERIC, "image/heic"), (AVIF, None), (b"GIF89a" + b"\x00" * 20, None),
     (b"MZ\x90\x00", None), (b"<html><script>", None), (b"", None), (b"\xff\xd8", None),
     (b"%PDF", None), (b"\x00\x00\x00\x18ftyp", None)],
)
def test_sniffing_reads_the_magic_bytes(head, expected):
    assert sniff_content_type(head[:64]) == expected


def test_display_names_lose_folders_and_control_characters():
    assert display_name("C:\\Users\\taro\\通学定期券.jpg") == "通学定期券.jpg"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("evil\u202egpj.exe") == "evilgpj.exe"
    assert display_name("a\x00b\nc.pdf") == "abc.pdf"
    assert display_name("か\u3099.png") == "が.png"  # macOS sends decomposed kana
    assert display_name("") == "（名前なし）"
    assert display_name(None) == "（名前なし）"
    long = display_name("あ" * 300 + ".jpeg")
    assert len(long) == 120 and long.endswith("….jpeg")
    assert len(display_name("x" * 300)) == 120


# --- storing and reading back -------------------------------------------------------------------
def test_an_upload_is_stored_by_content_under_a_random_name(media):
    field = build(required=True)
    # Named and sent as a PDF, but the bytes are a PNG: the content decides.
    raw = field.raw_from_post({}, files_of(upload("../定期券.pdf", PNG, "application/pdf")))
    assert raw["rejected"] == []
    [entry] = raw["files"]
    assert entry["name"] == "定期券.pdf" and entry["size"] == len(PNG)
    [item] = field.validate(raw)
    assert item["content_type"] == "image/png"
    assert item["name"] == "定期券.pdf"
    assert item["size"] == len(PNG)
    assert item["sha256"] == hashlib.sha256(PNG).hexdigest()
    # Stored and downloaded under the extension of what it is; the typed name stays for display.
    assert re.fullmatch(r"uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png", item["storage_name"])
    assert download_name(item) == "定期券.png"
    [path] = stored_files(media)
    assert path.read_bytes() == PNG
    assert path.relative_to(media).as_posix() == item["storage_name"]
    with open_upload(item) as stored:
        assert stored.read() == PNG
    assert field.validate(field.raw_from_value([item])) == [item]


@pytest.mark.parametrize("content", [JPEG, PNG, PDF, HEIC])
def test_every_accepted_type_round_trips(content):
    field = build()
    value = field.validate(field.raw_from_post({}, files_of(upload("file", content))))
    assert field.validate(field.raw_from_value(value)) == value
    assert value[0]["content_type"] == sniff_content_type(content)


def test_display_names_with_sizes():
    field = build(max_files=2)
    big = JPEG + b"\x00" * (1_258_291 - len(JPEG))
    value = field.validate(field.raw_from_post(
        {}, files_of(upload("通学定期券.jpg", big), upload("裏面.pdf", PDF))))
    assert field.display(value) == f"通学定期券.jpg（1.2 MB）、裏面.pdf（{len(PDF)} バイト）"
    with translation.override("en"):
        assert field.display(value) == f"通学定期券.jpg (1.2 MB), 裏面.pdf ({len(PDF)} bytes)"
    assert field.display(None) == ""
    assert field.export(value) == field.display(value)
    assert field.mask(value) == field.display(value)
    assert build(sensitive=True).mask(value) == "＊＊＊＊"


def test_stored_files_are_kept_by_their_signed_references_and_new_ones_added(media):
    field = build(max_files=3)
    first = field.raw_from_post({}, files_of(upload("a.jpg", JPEG)))
    again = field.raw_from_post(post_refs(first), MultiValueDict())
    assert [f["name"] for f in again["files"]] == ["a.jpg"]
    more = field.raw_from_post(post_refs(first), files_of(upload("b.pdf", PDF)))
    assert [f["name"] for f in more["files"]] == ["a.jpg", "b.pdf"]
    assert len(stored_files(media)) == 2
    twice = MultiValueDict({"pass_copy-stored": [first["files"][0]["ref"]] * 3})
    assert len(field.raw_from_post(twice)["files"]) == 1


# --- refusals -----------------------------------------------------------------------------------
def test_wrong_type_is_refused_and_not_stored(media):
    field = build(required=True)
    raw = field.raw_from_post({}, files_of(upload("memo.txt", b"hello", "image/jpeg")))
    assert raw["files"] == []
    assert error_of(field, raw) == (
        "「memo.txt」は使えない種類のファイルです。JPEG、PNG、HEIC または PDF のファイルを"
        "選んでください。")
    assert stored_files(media) == []
    pdf_only = build(accept=["pdf"])
    assert error_of(pdf_only, pdf_only.raw_from_post({}, files_of(upload("写真.jpg", JPEG)))) == (
        "「写真.jpg」は PDF ではありません。PDF のファイルを選んでください。")
    photos = build(accept=["image"])
    assert error_of(photos, photos.raw_from_post({}, files_of(upload("a.pdf", PDF)))) == (
        "「a.pdf」は使えない種類のファイルです。JPEG、PNG または HEIC の画像を選んでください。")
    with translation.override("en"):
        assert error_of(field, raw) == (
            "“memo.txt” cannot be used. Choose a JPEG, PNG, HEIC or PDF file.")


def test_too_big_and_empty_files_are_refused(media):
    field = build(max_size_mb=1)
    big = PDF + b"\x00" * (1024 * 1024)
    assert error_of(field, field.raw_from_post({}, files_of(upload("大きい.pdf", big)))) == (
        "「大きい.pdf」は1 MBより大きいため、添付できません。1 MB以下のファイルを選んでください。")
    assert error_of(field, field.raw_from_post({}, files_of(upload("空.jpg", b"")))) == (
        "「空.jpg」は中身が空です。もう一度ファイルを選んでください。")
    assert stored_files(media) == []
    exact = PDF + b"\x00" * (1024 * 1024 - len(PDF))
    assert field.validate(field.raw_from_post({}, files_of(upload("ok.pdf", exact))))
    assert "2.5 MB" in error_of(build(max_size_mb=2.5), build(max_size_mb=2.5).raw_from_post(
        {}, files_of(upload("a.pdf", PDF + b"\x00" * (3 * 1024 * 1024)))))


def test_too_many_files_keeps_the_first_and_says_which_was_left_out(media):
    field = build(max_files=2)
    raw = field.raw_from_post({}, files_of(upload("1.jpg", JPEG), upload("2.png", PNG),
                                           upload("3.pdf", PDF)))
    assert [f["name"] for f in raw["files"]] == ["1.jpg", "2.png"]
    assert error_of(field, raw) == (
        "通学定期券の写しに添付できるファイルは2個までのため、「3.pdf」は添付されていません。"
        "入れ替えるときは、先に添付済みのファイルを削除してください。")
    assert len(stored_files(media)) == 2
    kept = field.raw_from_post(post_refs(raw), MultiValueDict())
    assert len(field.validate(kept)) == 2
    with translation.override("en"):
        one = build()
        refused = one.raw_from_post({}, files_of(upload("1.jpg", JPEG), upload("2.jpg", JPEG)))
        assert error_of(one, refused).startswith("You can attach 1 file to Copy of the pass, so")


def test_required_and_optional_empty():
    assert error_of(build(required=True), build().raw_from_post({}, MultiValueDict())) == (
        "通学定期券の写しを添付してください。")
    assert build().validate(build().raw_from_post({}, None)) is None
    assert build().validate("") is None


def test_forged_foreign_and_expired_references_are_refused(media, monkeypatch):
    field = build()
    raw = field.raw_from_post({}, files_of(upload("a.jpg", JPEG)))
    ref = raw["files"][0]["ref"]
    message = "添付したファイルを確認できませんでした。お手数ですが、もう一度添付してください。"
    tampered = ref[:-3] + ("AAA" if not ref.endswith("AAA") else "BBB")
    for forged in [tampered, "x" * 5000, "garbage", "::"]:
        refused = field.raw_from_post({"pass_copy-stored": forged})
        assert refused["files"] == [] and error_of(field, refused) == message
    # A reference made for another field (another key) does not fit this one.
    other = registry.build({"key": "other", "type": "file", "label": "x"})
    assert other.raw_from_post({"other-stored": ref})["files"] == []
    # Correctly signed by us but naming a file outside the uploads folder: refused too.
    evil = signing.dumps({"name": "x", "storage_name": "../settings.py", "size": 1,
                          "content_type": "image/png", "sha256": "0" * 64},
                         salt=f"{fields_upload.SIGNING_SALT}:pass_copy", compress=True)
    assert field.raw_from_post({"pass_copy-stored": evil})["files"] == []
    assert error_of(field, {"files": [{"ref": evil, "name": "x", "size": 1}], "rejected": []}) \
        == message
    monkeypatch.setattr(fields_upload, "REFERENCE_MAX_AGE", -1)
    assert field.raw_from_post({"pass_copy-stored": ref})["files"] == []


def test_a_file_gone_from_storage_asks_to_attach_it_again(media):
    field = build()
    raw = field.raw_from_post({}, files_of(upload("a.jpg", JPEG)))
    value = field.validate(raw)
    default_storage.delete(value[0]["storage_name"])
    assert error_of(field, raw) == "「a.jpg」が見つかりません。もう一度添付してください。"
    again = field.raw_from_post(post_refs(raw))
    assert again["files"] == []
    assert error_of(field, again) == "「a.jpg」が見つかりません。もう一度添付してください。"
    with pytest.raises(FileNotFoundError):
        open_upload(value[0])


def test_non_file_values_are_ignored():
    field = build()
    hostile = MultiValueDict({"pass_copy": ["text", 123, None, b"bytes", {"name": "a.jpg"}]})
    assert field.raw_from_post({"pass_copy": "x"}, hostile) == {"files": [], "rejected": []}
    assert field.raw_from_post({"pass_copy-stored": ["", 5, None]}, {"pass_copy": "a"}) == {
        "files": [], "rejected": []}


def test_open_upload_refuses_what_is_not_a_stored_upload():
    for item in [None, {}, {"storage_name": "../../etc/passwd"}, "uploads/2026/01/" + "a" * 32]:
        with pytest.raises(ValueError, match="not a stored upload"):
            open_upload(item)
    good = {"name": "a", "storage_name": "uploads/2026/01/" + "a" * 32, "size": 1,
            "content_type": "image/png", "sha256": "0" * 64}
    assert upload_item(good) == good
    for bad in [{"size": 0}, {"size": True}, {"content_type": ["image/png"]},
                {"content_type": "text/html"}, {"sha256": "x"}, {"name": ""},
                {"storage_name": "uploads/2026/01/../../x"}]:
        assert upload_item({**good, **bad}) is None, bad


# --- the remove button --------------------------------------------------------------------------
def test_remove_takes_one_file_off_the_list():
    field = build(max_files=3)
    raw = field.raw_from_post({}, files_of(upload("a.jpg", JPEG), upload("b.pdf", PDF)))
    new_raw, feedback = field.action(raw, "remove-0")
    assert [f["name"] for f in new_raw["files"]] == ["b.pdf"]
    assert feedback == {"message": "「a.jpg」を削除しました。"}
    assert field.validate(new_raw)[0]["name"] == "b.pdf"
    for command in ["remove-2", "remove-x", "remove--1", "remove-", "add", "remove-0000"]:
        same, nothing = field.action(raw, command)
        assert len(same["files"]) == 2 and nothing is None, command
    assert field.action("garbage", "remove-0") == ({"files": [], "rejected": []}, None)


def test_remove_also_reports_files_refused_in_the_same_post():
    field = build()
    raw = field.raw_from_post({}, files_of(upload("a.jpg", JPEG), upload("b.jpg", JPEG)))
    new_raw, feedback = field.action(raw, "remove-0")
    assert new_raw == {"files": [], "rejected": []}
    assert feedback["message"].startswith("「a.jpg」を削除しました。 通学定期券の写しに添付")


# --- spec and template --------------------------------------------------------------------------
def test_defaults_and_rules_text():
    field = build()
    assert field.accept == ["image", "pdf"] and field.max_files == 1
    assert field.max_bytes == 10 * 1024 * 1024
    assert field.rules == (
        "JPEG、PNG、HEIC または PDF のファイルを1個まで添付できます（1個あたり10 MBまで）。")
    assert "image/heic" in field.accept_attribute and ".pdf" in field.accept_attribute
    assert build(accept=["pdf"]).accept_attribute == ".pdf,application/pdf"
    assert build(max_files=99, max_size_mb=0, accept=["exe"]).max_files == 1
    with translation.override("en"):
        assert build(max_files=3).rules == (
            "You can attach up to 3 JPEG, PNG, HEIC or PDF files, each up to 10 MB.")


def test_spec_problems():
    check = FileField.spec_problems
    assert check({"key": "f", "accept": ["image"], "max_size_mb": 2.5, "max_files": 10}) == []
    assert check({"key": "f", "label": "写し", "accept": ["exe"]}) == [
        "「写し」(f)：受け付けるファイルは、写真（「image」）、PDF（「pdf」）、またはその両方に"
        "してください。"]
    assert check({"key": "f", "accept": []}) != []
    assert check({"key": "f", "max_size_mb": 0}) == [
        "(f)：ファイルの大きさの上限は、0より大きく50 MB以下にしてください。"]
    assert check({"key": "f", "max_size_mb": True}) != []
    assert check({"key": "f", "max_files": 11}) == [
        "(f)：ファイルの数の上限は、1から10までの整数にしてください。"]


def test_template_lists_stored_files_with_signed_references_and_remove_buttons():
    field = build(max_files=2, hint={"ja": "両面を写してください。", "en": "Both sides."})
    raw = field.raw_from_post({}, files_of(upload("<b>定期券.jpg", JPEG)))
    html = render_to_string(field.template, {"field": field, "raw": raw, "error": "",
                                             "feedback": {"message": "「x」を削除しました。"}})
    assert f'name="pass_copy-stored" value="{raw["files"][0]["ref"]}"' in html
    assert "&lt;b&gt;定期券.jpg（" in html
    assert re.search(r'<button[^>]*name="_action" value="pass_copy:remove-0"[^>]*formnovalidate',
                     html)
    assert 'type="file" accept=".jpg' in html and " multiple" in html
    assert 'aria-describedby="f-pass_copy-rules f-pass_copy-hint"' in html
    assert 'role="status" aria-live="polite">「x」を削除しました。' in html


# --- hostile input ------------------------------------------------------------------------------
@HYPOTHESIS
@given(st.text(max_size=60), st.binary(max_size=300),
       st.sampled_from([b"", JPEG[:4], PNG[:8], b"%PDF-", HEIC[:24]]))
def test_any_bytes_and_name_give_a_value_or_a_field_error(name, body, prefix):
    field = build(max_files=2, max_size_mb=1)
    try:
        sent = upload(name, prefix + body)
    except SuspiciousFileOperation:
        return  # Django refuses such a name ("/", "..") before any field sees the file
    raw = field.raw_from_post({}, files_of(sent))
    try:
        value = field.validate(raw)
    except FieldError as exc:
        assert exc.message
        return
    assert value[0]["content_type"] == sniff_content_type(prefix + body)
    assert field.validate(field.raw_from_value(value)) == value
    assert field.display(value)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["files", "rejected", "ref", "name", "size", "reason"]),
                      children, max_size=4),
    max_leaves=12,
)


@HYPOTHESIS
@given(JSONISH)
def test_any_raw_value_gives_a_value_or_a_field_error(raw):
    field = build(required=True)
    try:
        field.validate(raw)
    except FieldError as exc:
        assert exc.message
    field.action(raw, "remove-0")
    field.raw_from_value(raw)
    field.display(raw)


# --- through the wizard -------------------------------------------------------------------------
PAGES = [{"key": "pass", "title": {"ja": "定期券", "en": "Pass"}, "fields": [
    {"key": "route", "type": "text", "required": True, "label": {"ja": "経路", "en": "Route"}},
    {"key": "pass_copy", "type": "file", "required": True, "max_files": 2,
     "label": {"ja": "通学定期券の写し", "en": "Copy of the pass"}},
]}]
URL = "/apply/new-fields-upload/pass/"


@pytest.fixture
def upload_form(demo):
    return publish_form("new-fields-upload", PAGES)


def hidden_refs(html: str) -> list[str]:
    return re.findall(r'name="pass_copy-stored" value="([^"]+)"', html)


def test_wizard_keeps_uploads_when_another_field_has_an_error(upload_form, resident_client,
                                                               media):
    html = resident_client.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    response = resident_client.post(URL, {"route": "", "pass_copy": [
        upload("通学定期券.jpg", JPEG), upload("裏面.pdf", PDF)]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "経路を入力してください。" in html
    assert "通学定期券.jpg（" in html and "裏面.pdf（" in html
    refs = hidden_refs(html)
    assert len(refs) == 2
    # The page shown again keeps the files: posting only the references is enough.
    response = resident_client.post(URL, {"route": "北山〜駅前", "pass_copy-stored": refs})
    assert response.status_code == 302
    check = resident_client.get("/apply/new-fields-upload/check/").content.decode()
    assert "通学定期券.jpg（" in check and "裏面.pdf（" in check
    application = submit(resident_client, "new-fields-upload")
    value = application.answers["pass_copy"]
    assert [v["name"] for v in value] == ["通学定期券.jpg", "裏面.pdf"]
    assert [v["content_type"] for v in value] == ["image/jpeg", "application/pdf"]
    with open_upload(value[0]) as stored:
        assert stored.read() == JPEG
    assert len(stored_files(media)) == 2


def test_wizard_remove_button_and_refused_files(upload_form, resident_client, media):
    response = resident_client.post(URL, {"route": "x", "pass_copy": [
        upload("a.jpg", JPEG), upload("memo.txt", b"not a picture")]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "「memo.txt」は使えない種類のファイルです。" in html
    refs = hidden_refs(html)
    assert len(refs) == 1
    response = resident_client.post(URL, {"route": "x", "pass_copy-stored": refs,
                                          "pass_copy": [upload("b.png", PNG)],
                                          "_action": "pass_copy:remove-0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "「a.jpg」を削除しました。" in html
    assert "b.png（" in html and "a.jpg（" not in html
    assert 'value="x"' in html  # what was typed in the other field is kept
    # A reference from another resident's page or a forged one is not accepted.
    response = resident_client.post(URL, {"route": "x", "pass_copy-stored": ["forged"]})
    assert response.status_code == 422
    assert "添付したファイルを確認できませんでした" in response.content.decode()
    for command in ["pass_copy:remove-99", "pass_copy:remove-abc", "pass_copy:", "nope:remove-0"]:
        response = resident_client.post(URL, {"route": "x", "_action": command,
                                              "pass_copy-stored": hidden_refs(html)})
        assert response.status_code == 200, command


# --- stored names, downloads and names that do not match the content --------------------------
@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [("pass.pdf", "image/png", "pass.png"), ("IMG_0001.JPEG", "image/jpeg", "IMG_0001.JPEG"),
     ("scan", "application/pdf", "scan.pdf"), ("写真.heif", "image/heic", "写真.heif"),
     ("a.b.pdf", "image/jpeg", "a.b.jpg"), ("写真.JPG.pdf", "image/jpeg", "写真.JPG.jpg"),
     ("report.txt", "application/pdf", "report.pdf"), ("../x\n.png", "image/png", "x.png"),
     ("", "image/png", "（名前なし）.png")],
)
def test_downloads_are_named_by_what_the_content_is(name, content_type, expected):
    assert download_name({"name": name, "content_type": content_type}) == expected


@pytest.mark.parametrize(("content", "extension"),
                         [(JPEG, "jpg"), (PNG, "png"), (PDF, "pdf"), (HEIC, "heic")])
def test_stored_files_carry_the_extension_of_their_content(content, extension, media):
    field = build()
    [item] = field.validate(field.raw_from_post({}, files_of(upload("file.bin", content))))
    assert item["storage_name"].endswith(f".{extension}")
    [path] = stored_files(media)
    assert path.suffix == f".{extension}"
    assert download_name(item) == f"file.{extension}"


def test_files_stored_before_names_had_an_extension_still_open(media):
    default_storage.save("uploads/2026/11/" + "a" * 32, SimpleUploadedFile("x", PDF))
    item = {"name": "古い.pdf", "storage_name": "uploads/2026/11/" + "a" * 32, "size": len(PDF),
            "content_type": "application/pdf", "sha256": "0" * 64}
    assert upload_item(item) == item
    with open_upload(item) as stored:
        assert stored.read() == PDF
    for bad in ("a" * 32 + ".exe", "a" * 32 + ".pdf.html", "a" * 32 + "."):
        assert upload_item({**item, "storage_name": "uploads/2026/11/" + bad}) is None


def test_a_name_that_lies_about_a_type_the_field_refuses_is_explained(media):
    pdf_only = build(accept=["pdf"])
    raw = pdf_only.raw_from_post({}, files_of(upload("pass.pdf", PNG, "application/pdf")))
    assert raw["files"] == [] and raw["rejected"] == [
        {"name": "pass.pdf", "reason": "type", "found": "image/png"}]
    assert error_of(pdf_only, raw) == (
        "「pass.pdf」は名前は PDF ですが、中身は PNG のファイルです。"
        "PDF のファイルを選んでください。")
    photos = build(accept=["image"])
    raw = photos.raw_from_post({}, files_of(upload("photo.jpg", PDF)))
    assert error_of(photos, raw) == (
        "「photo.jpg」は名前は JPEG ですが、中身は PDF のファイルです。"
        "JPEG、PNG または HEIC のファイルを選んでください。")
    with translation.override("en"):
        assert error_of(photos, raw) == ("“photo.jpg” is named like a JPEG file, but it is a PDF "
                                         "file. Choose a JPEG, PNG or HEIC file.")
    assert stored_files(media) == []
    # A name that claims nothing, or the type it is, keeps the usual message.
    assert "使えない種類" in error_of(photos, photos.raw_from_post({}, files_of(upload("x", PDF))))


def test_the_input_tells_its_script_the_limit_and_the_message():
    field = build(max_size_mb=2)
    html = render_to_string(field.template, {"field": field, "raw": field.raw_from_value(None),
                                             "error": ""})
    assert f'data-max-bytes="{2 * 1024 * 1024}"' in html
    assert ('data-too-large="「{name}」は2 MBより大きいため、添付できません。'
            '2 MB以下のファイルを選んでください。"') in html
    assert 'role="status" aria-live="polite"' in html
    assert re.search(r'<script src="[^"]*forms/upload\.js" defer></script>', html)


def test_staff_download_a_misnamed_file_by_its_real_type(resident_client, staff_user, media):
    from madoguchi.applications.models import Application
    from madoguchi.conftest import VALID_POST, client_for, fill_wizard, page_url

    fill_wizard(resident_client, ["applicant", "student"])
    response = resident_client.post(page_url("commute"), {
        **VALID_POST["commute"], "pass_copy": upload("定期券 \"表\".pdf", PNG, "application/pdf")})
    assert response.status_code == 302
    fill_wizard(resident_client, ["bank", "consent"])
    submit(resident_client, "tsugaku-hojo")
    application = Application.objects.get()
    [item] = application.answers["pass_copy"]
    assert item["name"] == "定期券 \"表\".pdf"  # shown as the resident named it
    staff = client_for(staff_user)
    case = staff.get(f"/staff/applications/{application.public_id}/").content.decode()
    assert "定期券 &quot;表&quot;.pdf" in case
    response = staff.get(f"/staff/applications/{application.public_id}/files/pass_copy/0/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=utf-8''%E5%AE%9A%E6%9C%9F%E5%88%B8%20%22%E8%A1%A8%22.png" in disposition
    assert "\n" not in disposition and ".pdf" not in disposition
    assert b"".join(response.streaming_content) == PNG
