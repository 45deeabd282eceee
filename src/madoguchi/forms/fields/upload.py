"""The file field: photos (JPEG, PNG, HEIC) and PDF documents, e.g. a copy of a commuter pass.

A file's type is decided by its content (magic bytes), never by its name or the content type the
browser sent. Accepted files are stored at once through Django's default storage under
``uploads/<yyyy>/<mm>/<uuid4 hex>.<extension of the detected type>``; the resident's file name is
kept only for display, and a download is named after it with the extension of what it really is
(a PNG sent as ``pass.pdf`` downloads as ``pass.png``).

Stored files travel between requests as signed references (hidden inputs ``<key>-stored``, signed
with the field's key), so a page shown again with an error elsewhere keeps them, and a resident
can only present references the server gave them. Each has a remove button
(``_action=<key>:remove-<index>``) that works without JavaScript.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .base import FieldError, FieldType, join_list, registry, spec_name, whole_number
from .options import FieldOption, OptionKind, PaletteEntry

# What each ``accept`` word allows: (content type, name shown to residents).
KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "image": (("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/heic", "HEIC")),
    "pdf": (("application/pdf", "PDF"),),
}
ACCEPT_ATTRIBUTE = {
    "image": ".jpg,.jpeg,.png,.heic,.heif,image/jpeg,image/png,image/heic,image/heif",
    "pdf": ".pdf,application/pdf",
}
CONTENT_TYPES = frozenset(t for kind in KINDS.values() for t, _name in kind)
# The extension a stored file of each type gets, and the extensions its name may already have.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    "image/png": ("png",),
    "image/heic": ("heic", "heif"),
    "application/pdf": ("pdf",),
}
# The extensions a name may have, by the type they claim (to say "named like a PDF").
CLAIMED_TYPES = {ext: content_type for content_type, exts in EXTENSIONS.items() for ext in exts}
TYPE_NAMES = {t: name for kind in KINDS.values() for t, name in kind}
DEFAULT_MAX_SIZE_MB = 10
MAX_SIZE_MB_LIMIT = 50
MAX_FILES_LIMIT = 10
NAME_MAX_LENGTH = 120
REFERENCE_MAX_LENGTH = 2000
# Seconds a signed reference stays usable: longer than a saved draft lives (90 days).
REFERENCE_MAX_AGE = 60 * 60 * 24 * 120
SIGNING_SALT = "madoguchi.forms.upload"
# Files stored before names carried an extension have none.
STORAGE_NAME = re.compile(r"uploads/\d{4}/\d{2}/[0-9a-f]{32}(_[A-Za-z0-9]{7})?"
                          r"(\.(jpg|png|heic|pdf))?")
SHA256 = re.compile(r"[0-9a-f]{64}")
HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
HEIF_GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})
SNIFF_BYTES = 64


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show (JPEG, PNG, HEIC or PDF), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if len(head) >= 16 and head[4:8] == b"ftyp":
        box_end = min(int.from_bytes(head[:4], "big"), len(head))
        major = head[8:12]
        compatible = {head[i:i + 4] for i in range(16, box_end - 3, 4)}
        if major in HEIC_BRANDS or (major in HEIF_GENERIC_BRANDS and compatible & HEIC_BRANDS):
            return "image/heic"
    return None


def display_name(name: Any) -> str:
    """The resident's file name, safe to show: no folders, no control or direction characters."""
    text = name if isinstance(name, str) else ""
    text = unicodedata.normalize("NFC", re.split(r"[/\\]", text)[-1])
    text = "".join(c for c in text
                   if unicodedata.category(c)[0] != "C" and unicodedata.category(c) not in
                   ("Zl", "Zp")).strip()
    if len(text) > NAME_MAX_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and stem and len(extension) <= 10:
            text = f"{stem[:NAME_MAX_LENGTH - len(extension) - 2]}….{extension}"
        else:
            text = text[: NAME_MAX_LENGTH - 1] + "…"
    return text or _("(no name)")


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def claimed_type(name: Any) -> str | None:
    """The content type a file name claims by its extension (one of ours), else None."""
    return CLAIMED_TYPES.get(_extension(name)) if isinstance(name, str) else None


def download_name(item: Mapping[str, Any]) -> str:
    """The name to download a stored upload under: the resident's name, with the extension of
    the type its content really is when the name says otherwise (``pass.pdf`` → ``pass.png``)."""
    name = display_name(item.get("name"))
    extensions = EXTENSIONS.get(str(item.get("content_type")), ())
    if not extensions or _extension(name) in extensions:
        return name
    stem = name[: -len(_extension(name)) - 1] if _extension(name) else name
    return f"{stem or 'file'}.{extensions[0]}"


def upload_item(data: Any) -> dict[str, Any] | None:
    """A stored upload's description if ``data`` is a well-formed one, else None."""
    if not isinstance(data, Mapping):
        return None
    name, storage_name = data.get("name"), data.get("storage_name")
    size, content_type, sha256 = data.get("size"), data.get("content_type"), data.get("sha256")
    if not (
        isinstance(name, str) and 0 < len(name) <= NAME_MAX_LENGTH
        and isinstance(storage_name, str) and STORAGE_NAME.fullmatch(storage_name)
        and whole_number(size, 1) and isinstance(content_type, str)
        and content_type in CONTENT_TYPES
        and isinstance(sha256, str) and SHA256.fullmatch(sha256)
    ):
        return None
    return {"name": name, "storage_name": storage_name, "size": size,
            "content_type": content_type, "sha256": sha256}


def referenced_uploads(raw: Mapping[str, Any]) -> set[str]:
    """The storage names of the uploads that a form's raw values (field key → value) refer to
    through signed references, expired ones included: what a draft holds before its page was
    accepted. References that are forged or not of that field are ignored."""
    names: set[str] = set()
    for key, value in raw.items():
        files = value.get("files") if isinstance(value, Mapping) else None
        for entry in files if isinstance(files, list) else []:
            reference = entry.get("ref") if isinstance(entry, Mapping) else None
            if not isinstance(reference, str) or not 0 < len(reference) <= REFERENCE_MAX_LENGTH:
                continue
            try:
                item = upload_item(signing.loads(reference, salt=f"{SIGNING_SALT}:{key}"))
            except (signing.BadSignature, ValueError, TypeError, UnicodeError):
                continue
            if item is not None:
                names.add(item["storage_name"])
    return names


def open_upload(value_item: Mapping[str, Any]) -> File:
    """Open a stored upload (one item of a file field's value) for reading, e.g. for staff.

    Raises ValueError for something that is not a stored upload, FileNotFoundError (or the
    storage's own error) when the file is gone.
    """
    item = upload_item(value_item)
    if item is None:
        raise ValueError("not a stored upload")
    return default_storage.open(item["storage_name"], "rb")


def size_text(size: int) -> str:
    return str(filesizeformat(size)).replace("\xa0", " ")


@registry.register("file")
class FileField(FieldType):
    """Files the resident attaches; the value is a list of :func:`upload_item` dicts.

    Spec: ``accept`` (subset of "image", "pdf"; default both), ``max_size_mb`` (default 10, up
    to 50), ``max_files`` (default 1, up to 10).
    """

    type_name = "file"
    template = "forms/fields/file.html"
    spec_options = (
        FieldOption("accept", OptionKind.WORDS, default=("image", "pdf"),
                    choices=(("image", gettext_lazy("Accept photos (JPEG, PNG)")),
                             ("pdf", gettext_lazy("Accept PDF"))),
                    empty_message=gettext_lazy("Accept photos, PDF or both.")),
        FieldOption("max_size_mb", OptionKind.SIZE, gettext_lazy("Largest file (MB)"),
                    default=DEFAULT_MAX_SIZE_MB),
        FieldOption("max_files", OptionKind.COUNT, gettext_lazy("Most files"), default=1),
    )
    palette = (
        PaletteEntry("file", gettext_lazy("File upload"),
                     {"label": {"ja": "添付書類", "en": "Attachment"}, "accept": ["image", "pdf"],
                      "max_size_mb": 10, "max_files": 1},
                     order=130),
    )

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        accept = spec.get("accept")
        if accept is not None and (
            not isinstance(accept, list) or not accept
            or any(not isinstance(k, str) or k not in KINDS for k in accept)
        ):
            problems.append(_("%(field)s: accept photos (“image”), PDF (“pdf”) or both.") % name)
        size = spec.get("max_size_mb")
        if size is not None and not (
            isinstance(size, int | float) and not isinstance(size, bool)
            and 0 < size <= MAX_SIZE_MB_LIMIT
        ):
            problems.append(_("%(field)s: the largest file must be more than 0 and at most "
                              "%(max)d MB.") % {**name, "max": MAX_SIZE_MB_LIMIT})
        count = spec.get("max_files")
        if count is not None and not (whole_number(count, 1) and count <= MAX_FILES_LIMIT):
            problems.append(_("%(field)s: the most files must be a whole number from 1 to "
                              "%(max)d.") % {**name, "max": MAX_FILES_LIMIT})
        return problems

    # --- options ------------------------------------------------------------------------
    @property
    def accept(self) -> list[str]:
        accept = self.spec.get("accept")
        if not isinstance(accept, list):
            return list(KINDS)
        return [k for k in KINDS if k in accept] or list(KINDS)

    @property
    def content_types(self) -> set[str]:
        return {t for kind in self.accept for t, _name in KINDS[kind]}

    @property
    def accept_attribute(self) -> str:
        return ",".join(ACCEPT_ATTRIBUTE[kind] for kind in self.accept)

    @property
    def max_size_mb(self) -> int | float:
        size = self.spec.get("max_size_mb")
        usable = isinstance(size, int | float) and not isinstance(size, bool)
        return size if usable and 0 < size <= MAX_SIZE_MB_LIMIT else DEFAULT_MAX_SIZE_MB

    @property
    def max_bytes(self) -> int:
        return int(self.max_size_mb * 1024 * 1024)

    @property
    def max_files(self) -> int:
        count = self.spec.get("max_files")
        return count if whole_number(count, 1) and count <= MAX_FILES_LIMIT else 1

    @property
    def size_limit(self) -> str:
        return f"{self.max_size_mb:g}"

    @property
    def types_text(self) -> str:
        if self.accept == ["pdf"]:
            return "PDF"
        if self.accept == ["image"]:
            return _("JPEG, PNG or HEIC")
        return _("JPEG, PNG, HEIC or PDF")

    @property
    def rules(self) -> str:
        """What may be attached, shown under the label."""
        return ngettext(
            "You can attach %(count)d %(types)s file of up to %(size)s MB.",
            "You can attach up to %(count)d %(types)s files, each up to %(size)s MB.",
            self.max_files,
        ) % {"count": self.max_files, "types": self.types_text, "size": self.size_limit}

    # --- messages -----------------------------------------------------------------------
    @property
    def too_large_message(self) -> str:
        """The refusal of a file over the limit with "{name}" for its name: the page's script
        says it before uploading (the server still checks)."""
        return self.rejection_message({"reason": "size", "name": "{name}"})

    def required_message(self) -> str:
        return _("Attach %(label)s.") % {"label": self.label}

    def rejection_message(self, rejected: Mapping[str, Any]) -> str:
        """What to tell the resident about a file that was not attached."""
        reason = rejected.get("reason")
        params = {"name": display_name(rejected.get("name")), "label": self.label,
                  "max": self.size_limit}
        found, claimed = rejected.get("found"), claimed_type(rejected.get("name"))
        if reason == "type" and isinstance(found, str) and found in TYPE_NAMES and claimed \
                and claimed != found:
            return _("“%(name)s” is named like a %(named)s file, but it is a %(found)s file. "
                     "Choose a %(types)s file.") % {
                **params, "named": TYPE_NAMES[claimed], "found": TYPE_NAMES[found],
                "types": self.types_text}
        if reason == "type":
            if self.accept == ["pdf"]:
                return _("“%(name)s” is not a PDF file. Choose a PDF file.") % params
            if self.accept == ["image"]:
                return _("“%(name)s” cannot be used. Choose a JPEG, PNG or HEIC image.") % params
            return _("“%(name)s” cannot be used. Choose a JPEG, PNG, HEIC or PDF file.") % params
        if reason == "size":
            return _("“%(name)s” is larger than %(max)s MB. Choose a file of %(max)s MB or "
                     "less.") % params
        if reason == "empty":
            return _("“%(name)s” is empty. Choose the file again.") % params
        if reason == "count":
            return ngettext(
                "You can attach %(max)d file to %(label)s, so “%(name)s” was not attached. To "
                "replace a file, remove it first.",
                "You can attach up to %(max)d files to %(label)s, so “%(name)s” was not "
                "attached. To replace a file, remove it first.",
                self.max_files,
            ) % {**params, "max": self.max_files}
        if reason == "missing":
            return _("“%(name)s” can no longer be found. Attach it again.") % params
        if reason == "unreadable":
            return _("“%(name)s” could not be read. Choose the file again.") % params
        return _("An attached file could not be kept. Attach it again.")

    # --- raw values ---------------------------------------------------------------------
    def _salt(self) -> str:
        return f"{SIGNING_SALT}:{self.key}"

    def sign(self, item: Mapping[str, Any]) -> str:
        return signing.dumps(dict(item), salt=self._salt(), compress=True)

    def unsign(self, reference: Any) -> dict[str, Any] | None:
        """The upload a signed reference names, or None if it is forged, expired or malformed."""
        if not isinstance(reference, str) or not 0 < len(reference) <= REFERENCE_MAX_LENGTH:
            return None
        try:
            data = signing.loads(reference, salt=self._salt(), max_age=REFERENCE_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError, UnicodeError):
            return None
        return upload_item(data)

    def raw_item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"ref": self.sign(item), "name": item["name"], "size": item["size"]}

    @staticmethod
    def _parts(raw: Any) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        if not isinstance(raw, Mapping):
            return [], []
        files, rejected = raw.get("files"), raw.get("rejected")
        return ([f for f in files if isinstance(f, Mapping)] if isinstance(files, list) else [],
                [r for r in rejected if isinstance(r, Mapping)]
                if isinstance(rejected, list) else [])

    def raw_from_post(
        self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The files already attached (signed references) plus the new ones, stored now.

        Returns ``{"files": [{"ref", "name", "size"}], "rejected": [{"name", "reason"}]}``.
        """
        stored: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for reference in _values(data, f"{self.key}-stored")[:MAX_FILES_LIMIT * 2]:
            if not isinstance(reference, str) or not reference:
                continue
            item = self.unsign(reference)
            if item is None:
                if not any(r["reason"] == "expired" for r in rejected):
                    rejected.append({"name": "", "reason": "expired"})
            elif any(s["storage_name"] == item["storage_name"] for s in stored):
                continue
            elif len(stored) >= self.max_files:
                rejected.append({"name": item["name"], "reason": "count"})
            elif not default_storage.exists(item["storage_name"]):
                rejected.append({"name": item["name"], "reason": "missing"})
            else:
                stored.append(item)
        uploads = [f for f in (_values(files, self.key) if files is not None else [])
                   if isinstance(f, UploadedFile)]
        for upload in uploads:
            name = display_name(upload.name)
            reason, content_type = self._check(upload, len(stored))
            if reason:
                rejected.append({"name": name, "reason": reason,
                                 **({"found": content_type} if content_type else {})})
            else:
                stored.append(self._store(upload, name, content_type))
        return {"files": [self.raw_item(item) for item in stored], "rejected": rejected}

    def _check(self, upload: UploadedFile, count: int) -> tuple[str, str]:
        """(reason it cannot be attached or "", content type) for a new upload."""
        if count >= self.max_files:
            return "count", ""
        size = upload.size
        if not isinstance(size, int):
            return "unreadable", ""
        if size == 0:
            return "empty", ""
        if size > self.max_bytes:
            return "size", ""
        try:
            upload.seek(0)
            head = upload.read(SNIFF_BYTES)
            upload.seek(0)
        except (OSError, ValueError):
            return "unreadable", ""
        content_type = sniff_content_type(head if isinstance(head, bytes) else b"")
        if content_type not in self.content_types:
            return "type", content_type or ""
        return "", content_type

    def _store(self, upload: UploadedFile, name: str, content_type: str) -> dict[str, Any]:
        digest = hashlib.sha256()
        size = 0
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        upload.seek(0)
        today = timezone.localdate()
        target = f"uploads/{today:%Y}/{today:%m}/{uuid.uuid4().hex}.{EXTENSIONS[content_type][0]}"
        storage_name = default_storage.save(target, upload)
        return {"name": name, "storage_name": storage_name, "size": size,
                "content_type": content_type, "sha256": digest.hexdigest()}

    def is_empty(self, raw: Any) -> bool:
        files, rejected = self._parts(raw)
        return not files and not rejected

    def clean(self, raw: Any) -> list[dict[str, Any]]:
        files, rejected = self._parts(raw)
        if rejected:
            raise FieldError(self.rejection_message(rejected[0]))
        items: list[dict[str, Any]] = []
        for entry in files:
            item = self.unsign(entry.get("ref"))
            if item is None:
                raise FieldError(self.rejection_message({"reason": "expired"}))
            if any(i["storage_name"] == item["storage_name"] for i in items):
                continue
            if item["content_type"] not in self.content_types:
                raise FieldError(self.rejection_message({**item, "reason": "type"}))
            if item["size"] > self.max_bytes:
                raise FieldError(self.rejection_message({**item, "reason": "size"}))
            if not default_storage.exists(item["storage_name"]):
                raise FieldError(self.rejection_message({**item, "reason": "missing"}))
            items.append(item)
        if len(items) > self.max_files:
            raise FieldError(ngettext(
                "Attach at most %(max)d file to %(label)s. Remove the others.",
                "Attach at most %(max)d files to %(label)s. Remove the others.", self.max_files,
            ) % {"max": self.max_files, "label": self.label})
        if not items:
            raise FieldError(self.required_message())
        return items

    def raw_from_value(self, value: Any) -> dict[str, Any]:
        items = [upload_item(v) for v in value] if isinstance(value, list) else []
        return {"files": [self.raw_item(i) for i in items if i is not None], "rejected": []}

    def action(self, raw: Any, command: str) -> tuple[Any, Any]:
        """``remove-<index>`` takes a file off the list (the stored file stays until cleanup)."""
        files, rejected = self._parts(raw)
        messages = [self.rejection_message(r) for r in rejected]
        match = re.fullmatch(r"remove-(\d{1,3})", command)
        if match and int(match[1]) < len(files):
            removed = files.pop(int(match[1]))
            messages.insert(0, _("“%(name)s” has been removed.")
                            % {"name": display_name(removed.get("name"))})
        new_raw = {"files": [dict(f) for f in files], "rejected": []}
        return new_raw, ({"message": " ".join(messages)} if messages else None)

    def display(self, value: Any) -> str:
        if not isinstance(value, list):
            return ""
        return join_list(
            _("%(name)s (%(size)s)") % {"name": item["name"], "size": size_text(item["size"])}
            for item in map(upload_item, value) if item is not None
        )


def _values(data: Mapping[str, Any], key: str) -> list[Any]:
    """All values posted under ``key`` (a QueryDict's list, or a plain mapping's value)."""
    getlist = getattr(data, "getlist", None)
    if callable(getlist):
        return list(getlist(key))
    value = data.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
