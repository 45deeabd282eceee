"""The files of a transfer batch: the 全銀 総合振込 file for the bank and the check list (CSV in
CP932 through the exports' CSV writer, and Excel) the treasury checks it against.

Both are written from the same rows (:func:`selectors.batch_payees`), so they always agree."""

from __future__ import annotations

import csv
import io
import re

import xlsxwriter
from django.utils.translation import gettext as _

from madoguchi.applications.exports import ExportFormat, ExportResult, clean_text, csv_line
from madoguchi.forms.fields.finance import BankAccountField
from madoguchi.jp import banks as jp_banks
from madoguchi.jp import zengin_transfer as zt

from ..models import TransferBatch, TransferItem
from .selectors import Payee

BANK_NAME_LENGTH = 15
_DIGITS = re.compile(r"\D")


def customer_codes(receipt_number: str | None) -> tuple[str, str]:
    """顧客コード1 and 2 from a receipt number "2026-0000123-4": serial with its check digit,
    and the year, so the bank's statement leads back to the case."""
    digits = _DIGITS.sub("", receipt_number or "")
    if len(digits) < 5:
        return "0", "0"
    return digits[4:][-10:], digits[:4]


def transfer_of(payee: Payee, amount: int) -> zt.Transfer:
    """The file's data record for one payee (bank and branch names from the Zengin list)."""
    account = payee.account
    bank = jp_banks.find_bank(account.get("bank_code", ""))
    branch = jp_banks.find_branch(bank, account.get("branch_code", "")) if bank else None
    code1, code2 = customer_codes(payee.application.receipt_number)
    return zt.Transfer(
        bank_code=account.get("bank_code", ""),
        bank_name=zt.fit_name(bank.kana, BANK_NAME_LENGTH) if bank else "",
        branch_code=account.get("branch_code", ""),
        branch_name=zt.fit_name(branch.kana, BANK_NAME_LENGTH) if branch else "",
        account_type=account.get("account_type", ""), account_number=account.get("number", ""),
        payee_name=account.get("holder", ""), amount=amount,
        customer_code1=code1, customer_code2=code2,
    )


def zengin_file(batch: TransferBatch, sender: zt.Sender,
                rows: list[tuple[TransferItem, Payee]]) -> bytes:
    """The 総合振込 file of the batch (raises JPValueError when a value does not fit)."""
    return zt.build_file(sender, batch.payment_date,
                         [transfer_of(payee, item.amount) for item, payee in rows])


def zengin_filename(batch: TransferBatch) -> str:
    return f"sogo-furikomi_{batch.procedure.slug}_{batch.payment_date:%Y%m%d}.txt"


def checklist_filename(batch: TransferBatch, extension: str) -> str:
    return f"furikomi-checklist_{batch.procedure.slug}_{batch.payment_date:%Y%m%d}.{extension}"


def checklist(batch: TransferBatch, rows: list[tuple[TransferItem, Payee]]) -> list[list[str]]:
    """Header, one line per payee in the file's order, and the total line."""
    table = [[_("No."), _("Receipt number"), _("Applicant name"), _("Payee (transfer kana)"),
              _("Bank code"), _("Bank"), _("Branch code"), _("Branch"), _("Account type"),
              _("Account number"), _("Amount (yen)"), _("Exported before")]]
    for item, payee in rows:
        account = payee.account
        table.append([
            str(item.position), payee.application.receipt_number or "",
            payee.application.applicant_name, account.get("holder", ""),
            account.get("bank_code", ""), account.get("bank_name", ""),
            account.get("branch_code", ""), account.get("branch_name", ""),
            BankAccountField.account_type_label(account.get("account_type", "")),
            account.get("number", ""),
            str(item.amount), _("Yes") if item.repeated else "",
        ])
    table.append(["", _("Total"), _("%(count)d transfers") % {"count": batch.count}, "", "", "",
                  "", "", "", "", str(batch.total), ""])
    return table


def checklist_csv(table: list[list[str]]) -> tuple[bytes, ExportResult]:
    """The check list as CSV in CP932 (what CP932 lacks becomes 〓 and is reported)."""
    result = ExportResult()
    writer = csv.writer(_Echo())
    names = [clean_text(c) for c in table[0]]
    lines = [csv_line(writer, ExportFormat.CSV_CP932, "", names, result, names)]
    for row in table[1:]:
        lines.append(csv_line(writer, ExportFormat.CSV_CP932, row[1],
                              [clean_text(c) for c in row], result, names))
    result.rows = len(table) - 1
    result.completed = True
    return b"".join(lines), result


def checklist_xlsx(table: list[list[str]], title: str) -> bytes:
    """The check list as an Excel workbook; amounts are numbers, everything else text."""
    target = io.BytesIO()
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet(re.sub(r"[\[\]:*?/\\']", "", title)[:31] or "Sheet1")
    bold = workbook.add_format({"bold": True})
    amount_format = workbook.add_format({"num_format": "#,##0"})
    amount_column = 10
    for row_number, row in enumerate(table):
        for col, text in enumerate(row):
            if row_number and col == amount_column and text.isdigit():
                sheet.write_number(row_number, col, int(text), amount_format)
            else:
                sheet.write_string(row_number, col, clean_text(text),
                                   bold if row_number == 0 else None)
    workbook.close()
    return target.getvalue()


class _Echo:
    def write(self, value: str) -> str:
        return value
