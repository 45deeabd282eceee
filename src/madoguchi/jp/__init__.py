"""Japanese conventions in plain Python (no Django): width and kana normalisation, 和暦,
postal codes, phone numbers, マイナンバー check digits, name search keys and receipt numbers.

Errors a resident may see are raised as :class:`madoguchi.jp.errors.JPValueError`.
"""
