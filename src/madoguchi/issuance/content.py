"""What a notice says: the variables a template may use and the rendering of its body.

Template bodies are Japanese text with Django template syntax, rendered by an engine of their
own that has no template loaders and no tag libraries besides the built-in ones, with
autoescaping off (the text goes into a PDF, not HTML). Only the variables below are passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import translation

from madoguchi.applications.models import Application
from madoguchi.applications.services import all_answers
from madoguchi.catalog.selectors import get_city
from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.forms.selectors import spec_of
from madoguchi.jp import banks

TEMPLATE_VARIABLES: dict[str, str] = {
    "applicant_name": "the applicant's name",
    "receipt_number": "the application's receipt number",
    "procedure_name": "the procedure's Japanese name",
    "decided_on": "the decision date in 和暦 with the Western year",
    "answers.<key>": "an answer as displayed (sensitive answers are masked as ＊＊＊＊; a bank "
                     "account shows its bank and branch names and the account masked, and "
                     "answers.<key>.bank_name and .branch_name give the names alone)",
    "payee_account": "the bank and branch names of the account to pay into "
                     "(みずほ銀行　東京営業部)",
    "reason": "the reason decided with this decision (a rejection's reason); never an earlier "
              "message such as a correction request",
    "city_name": "the city's name",
    "department_name": "the handling department's name",
}
MASK = "＊＊＊＊"
BANK_ACCOUNT = "bank_account"
# The text fields of forms made before the bank-account field: a bank and a branch, each typed
# as a code or a name.
LEGACY_BANK_KEYS = ("bank_name", "branch_name")

_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False,
                 string_if_invalid="", debug=False)


class TemplateBodyError(ValueError):
    """The template body is not valid template syntax."""


class BankAccountAnswer(str):
    """A bank-account answer on a notice: it prints as the bank and branch names with the
    account masked (みずほ銀行　東京営業部　普通　＊＊＊＊567); ``bank_name`` and
    ``branch_name`` give the names alone."""

    bank_name: str
    branch_name: str

    def __new__(cls, bank_name: str, branch_name: str, rest: str = "") -> BankAccountAnswer:
        answer = super().__new__(cls, "　".join(p for p in (bank_name, branch_name, rest) if p))
        answer.bank_name, answer.branch_name = bank_name, branch_name
        return answer

    @property
    def names(self) -> str:
        return "　".join(p for p in (self.bank_name, self.branch_name) if p)


def bank_names(value: dict[str, Any]) -> tuple[str, str]:
    """The bank and branch names of a bank-account field's value.

    The names the resident confirmed are kept in the value; a value without them (or with a
    code in their place) is named from its codes through the Zengin list.
    """
    bank_name, branch_name = str(value.get("bank_name") or ""), str(value.get("branch_name") or "")
    bank = banks.find_bank(str(value.get("bank_code") or "")) or banks.find_bank(bank_name)
    if bank is not None and (not bank_name or bank_name.strip().isdigit()):
        bank_name = banks.bank_full_name(bank)
    if bank is not None and (not branch_name or branch_name.strip().isdigit()):
        branch = banks.find_branch(bank, str(value.get("branch_code") or "")) or \
            banks.find_branch(bank, branch_name)
        branch_name = branch.name if branch is not None else branch_name
    return bank_name, branch_name


def _bank_answer(field: Any, value: Any) -> BankAccountAnswer | None:
    if not isinstance(value, dict):
        return None
    bank_name, branch_name = bank_names(value)
    number = re.sub(r"\D", "", str(value.get("number") or ""))
    masked = MASK + number[-3:] if number else ""
    kind = field.account_type_label(value.get("account_type", ""))
    return BankAccountAnswer(bank_name, branch_name, "　".join(p for p in (kind, masked) if p))


def answers_for_notice(application: Application) -> dict[str, str]:
    """Display strings of the applicant's answers.

    Sensitive answers are masked as ＊＊＊＊, except bank accounts: they are decrypted here
    only to print the bank and branch names (and the account type and the number's last three
    digits), never the account number or holder.
    """
    spec = spec_of(application.form_version)
    sensitive = spec.sensitive_keys()
    fields = list(spec.fields())
    accounts = [f for f in fields if f.type_name == BANK_ACCOUNT]
    unsealed = all_answers(application) if any(f.key in sensitive for f in accounts) else {}
    shown: dict[str, str] = {}
    with translation.override("ja"):
        for field in fields:
            if field.type_name == BANK_ACCOUNT:
                answer = _bank_answer(field, unsealed.get(field.key,
                                                          application.answers.get(field.key)))
                if answer is not None:
                    shown[field.key] = answer
            elif field.key in sensitive:
                shown[field.key] = MASK
            elif field.key in application.answers:
                try:
                    shown[field.key] = field.display(application.answers[field.key])
                except (TypeError, ValueError, KeyError, AttributeError):
                    shown[field.key] = str(application.answers[field.key])
    return shown


def payee_account(answers: dict[str, Any]) -> str:
    """The bank and branch names of the first bank-account answer, or of a form's older
    bank and branch text fields (a typed code becomes the name: 0001 → みずほ銀行)."""
    for answer in answers.values():
        if isinstance(answer, BankAccountAnswer):
            return answer.names
    bank, branch = (str(answers.get(key) or "") for key in LEGACY_BANK_KEYS)
    if not bank:
        return ""
    found = banks.find_bank(bank)
    if found is not None:
        bank = banks.bank_full_name(found)
        named = banks.find_branch(found, branch) if branch else None
        branch = named.name if named is not None else branch
    return "　".join(p for p in (bank, branch) if p)


def template_context(
    application: Application, *, decided_on: dt.date, reason: str = ""
) -> dict[str, Any]:
    """The documented variables (and only those) for a template body.

    ``reason`` is what was decided for this notice, and only that: the application's status
    reason is never used, since it may still hold an earlier message (a 差戻し's request).
    """
    city = get_city()
    answers = answers_for_notice(application)
    return {
        "applicant_name": application.applicant_name,
        "receipt_number": application.receipt_number or "",
        "procedure_name": localized(application.procedure.name, "ja"),
        "decided_on": _japanese_date(decided_on),
        "answers": answers,
        "payee_account": payee_account(answers),
        "reason": reason,
        "city_name": localized(city.name, "ja") if city else "",
        "department_name": localized(application.department.name, "ja"),
    }


def _japanese_date(value: dt.date) -> str:
    with translation.override("ja"):
        return display_date(value)


def render_body(body: str, context: dict[str, Any]) -> str:
    """Render a template body with ``context``; raises TemplateBodyError for bad syntax."""
    try:
        text = _ENGINE.from_string(body).render(Context(context, autoescape=False))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise TemplateBodyError(str(exc)) from exc
    # Blank lines around the text go; a leading full-width space (paragraph indent) stays.
    return text.lstrip("\r\n").rstrip()
