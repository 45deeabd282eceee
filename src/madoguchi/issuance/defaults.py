"""The default wording of each kind of notice, as a department would start from it.

Bodies are Japanese official-document text (公用文) with template variables, kept as text files
in ``templates/issuance/defaults/``; a department edits its own copy (a
:class:`~madoguchi.issuance.models.DocumentTemplate` row) afterwards.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .models import DocumentKind

DEFAULTS_DIR = Path(__file__).resolve().parent / "templates" / "issuance" / "defaults"
TITLE_SUFFIX: dict[str, dict[str, str]] = {
    DocumentKind.DECISION: {"ja": "決定通知書", "en": "decision notice"},
    DocumentKind.GRANT: {"ja": "交付決定通知書", "en": "grant decision notice"},
    DocumentKind.REJECTION: {"ja": "却下通知書", "en": "rejection notice"},
}
# Lines a procedure's grant notice adds (in place of "{extra}"), naming its own answers. The
# account to pay into is named by its bank and branch (payee_account), whatever its field.
GRANT_EXTRA: dict[str, str] = {
    "tsugaku-hojo": (
        "３　対象となる生徒　{{ answers.student_name }}（{{ answers.school_name }}）\n"
        "４　対象期間　{{ answers.term }}\n"
        "５　1か月あたりの定期券代　{{ answers.monthly_pass_cost }}\n"
        "６　振込先　申請書に記載の口座（{{ payee_account }}）\n"
    ),
}


@functools.cache
def _text(kind: str) -> str:
    return (DEFAULTS_DIR / f"{kind}.txt").read_text(encoding="utf-8")


def default_title(kind: str, procedure_name: dict[str, str]) -> dict[str, str]:
    """"<kind>（<procedure>）" in Japanese, "<Procedure>: <kind>" in English."""
    suffix = TITLE_SUFFIX[kind]
    ja = procedure_name.get("ja", "")
    en = procedure_name.get("en") or ja
    return {"ja": f"{suffix['ja']}（{ja}）", "en": f"{en}: {suffix['en']}"}


def default_body(kind: str, procedure_slug: str) -> str:
    """The default body of ``kind``, with the procedure's own lines where it has some."""
    body = _text(kind)
    if kind == DocumentKind.GRANT:
        body = body.replace("{extra}\n", GRANT_EXTRA.get(procedure_slug, ""))
    return body
