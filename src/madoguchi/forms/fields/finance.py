"""Field types for money matters: マイナンバー (個人番号) and a bank account for transfers.

Both are sensitive: their values are encrypted at rest (applications.services) and masked for
roles that may not see them. Registered in the shared registry; FormsConfig.ready() imports this
module so the types exist whenever the app is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from madoguchi.jp import banks as jp_banks
from madoguchi.jp import mynumber as jp_mynumber
from madoguchi.jp import width as jp_width
from madoguchi.jp import zengin as jp_zengin
from madoguchi.jp.errors import JPValueError

from .base import CompositeField, FieldError, FieldType, jp_error, registry
from .options import PaletteEntry

PART_MAX_LENGTH = 100
HOLDER_MAX_LENGTH = 30  # half-width characters, as the transfer record counts them
ACCOUNT_NUMBER_LENGTH = 7



@registry.register("my_number")
class MyNumberField(FieldType):
    """個人番号 (マイナンバー): 12 digits with a check digit; always sensitive."""

    type_name = "my_number"
    template = "forms/fields/my_number.html"
    sensitive = True
    palette = (
        PaletteEntry("my_number", gettext_lazy("My Number"),
                     {"label": {"ja": "個人番号（マイナンバー）",
                                "en": "Individual Number (My Number)"}}, order=160),
    )

    def clean(self, raw: str) -> str:
        try:
            return jp_mynumber.normalize_my_number(raw)
        except JPValueError as exc:
            if exc.code == "invalid_my_number_check_digit":
                english = _("This My Number is not valid. Check the number on your card.")
            else:
                english = _("Enter your My Number as 12 digits.")
            raise jp_error(exc, english) from exc

    def display(self, value: Any) -> str:
        if not value:
            return ""
        return f"{value[:4]} {value[4:8]} {value[8:]}"

    def raw_from_value(self, value: Any) -> str:
        return self.display(value)

    def mask(self, value: Any) -> str:
        return jp_mynumber.mask_my_number(value) if value else ""


@registry.register("bank_account")
class BankAccountField(CompositeField):
    """A bank account for transfers: bank, branch, type, number and holder in Zengin kana.

    The bank and branch are typed as codes or names and checked against the offline Zengin list.
    """

    type_name = "bank_account"
    template = "forms/fields/bank_account.html"
    sensitive = True
    palette = (
        PaletteEntry("bank_account", gettext_lazy("Bank account"),
                     {"label": {"ja": "振込先の口座", "en": "Bank account for the payment"}},
                     order=170),
    )
    parts = ("bank_code", "branch_code", "account_type", "number", "holder")
    part_max_length = PART_MAX_LENGTH
    account_type_values = ("ordinary", "current", "savings")

    @property
    def account_types(self) -> list[tuple[str, str]]:
        return [(value, self.account_type_label(value)) for value in self.account_type_values]

    @staticmethod
    def account_type_label(value: str) -> str:
        labels = {
            "ordinary": pgettext("bank account type", "Ordinary"),
            "current": pgettext("bank account type", "Current"),
            "savings": pgettext("bank account type", "Savings"),
        }
        return labels.get(value, "")

    def clean(self, raw: Any) -> dict[str, str]:
        if not isinstance(raw, Mapping):
            raise FieldError(_("Check %(label)s.") % {"label": self.label})
        typed = {part: str(raw.get(part, "") or "").strip() for part in self.parts}
        label = {"label": self.label}
        if not typed["bank_code"]:
            raise FieldError(_("Enter the bank of %(label)s as its code or name.") % label)
        bank = jp_banks.find_bank(typed["bank_code"])
        if bank is None:
            raise FieldError(
                _("We could not find the bank “%(bank)s”. Enter its 4-digit code or its name "
                  "as on your bankbook.") % {"bank": typed["bank_code"][:30]}
            )
        bank_name = jp_banks.bank_full_name(bank)
        if not typed["branch_code"]:
            raise FieldError(_("Enter the branch of %(label)s as its code or name.") % label)
        branch = jp_banks.find_branch(bank, typed["branch_code"])
        if branch is None:
            raise FieldError(
                _("We could not find the branch “%(branch)s” of %(bank)s. Enter its 3-digit "
                  "code or its name as on your bankbook.")
                % {"branch": typed["branch_code"][:30], "bank": bank_name}
            )
        if typed["account_type"] not in self.account_type_values:
            raise FieldError(_("Choose the account type of %(label)s.") % label)
        return {
            "bank_code": bank.code,
            "bank_name": bank_name,
            "branch_code": branch.code,
            "branch_name": branch.name,
            "account_type": typed["account_type"],
            "number": self._clean_number(typed["number"]),
            "holder": self._clean_holder(typed["holder"]),
        }

    def _clean_number(self, typed: str) -> str:
        if not typed:
            raise FieldError(_("Enter the account number of %(label)s.") % {"label": self.label})
        digits = re.sub(r"[\s\u3000-]+", "", jp_width.normalize_hyphens(jp_width.to_ascii(typed)))
        if not re.fullmatch(rf"[0-9]{{1,{ACCOUNT_NUMBER_LENGTH}}}", digits):
            raise FieldError(_("Enter the account number as up to 7 digits."))
        return digits.zfill(ACCOUNT_NUMBER_LENGTH)

    def _clean_holder(self, typed: str) -> str:
        """The holder as a transfer carries it: half-width Zengin characters (jp.zengin)."""
        if not typed:
            raise FieldError(_("Enter the account holder of %(label)s in katakana.")
                             % {"label": self.label})
        try:
            holder = jp_zengin.to_zengin_name(typed)
        except JPValueError as exc:
            if exc.code == "zengin_empty":
                raise FieldError(_("Enter the account holder of %(label)s in katakana.")
                                 % {"label": self.label}) from exc
            raise jp_error(exc, _(
                "The account holder cannot contain “%(char)s”. Write it as on your bankbook in "
                "katakana, capital letters, digits, spaces and ( ) . - / ,."
            ) % exc.params) from exc
        if len(holder) > HOLDER_MAX_LENGTH:
            raise FieldError(_(
                "The account holder is %(count)d half-width characters long for a bank "
                "transfer; at most %(max)d fit (ガ or パ counts as two)."
            ) % {"count": len(holder), "max": HOLDER_MAX_LENGTH})
        return holder

    def raw_from_value(self, value: Any) -> dict[str, str]:
        if not value:
            return {}
        return {
            "bank_code": value.get("bank_code", ""),
            "branch_code": value.get("branch_code", ""),
            "account_type": value.get("account_type", ""),
            "number": value.get("number", ""),
            "holder": value.get("holder", ""),
        }

    def display(self, value: Any) -> str:
        if not value:
            return ""
        return " ".join([
            value["bank_name"], value["branch_name"],
            self.account_type_label(value["account_type"]), value["number"], value["holder"],
        ])

    def mask(self, value: Any) -> str:
        if not value:
            return ""
        number = str(value.get("number", ""))
        masked = "*" * max(len(number) - 3, 0) + number[-3:]
        return " ".join([
            value["bank_name"], value["branch_name"],
            self.account_type_label(value["account_type"]), masked,
        ])
