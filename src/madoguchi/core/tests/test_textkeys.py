"""Texts inside content JSON under stable keys."""

from __future__ import annotations

import pytest

from madoguchi.core.textkeys import is_text, set_translation, text_slots


def test_texts_are_found_under_stable_keys():
    value = {
        "title": {"ja": "申請", "en": "Application"},
        "pages": [
            {
                "key": "p1",
                "fields": [
                    {
                        "key": "sex",
                        "label": {"ja": "性別"},
                        "options": [
                            {"value": "f", "label": {"ja": "女性"}},
                            {"value": "m", "label": {"ja": "男性"}},
                        ],
                    }
                ],
            }
        ],
        "documents": [{"ja": "本人確認書類"}, {"ja": "印鑑"}],
        "empty": {"ja": "", "en": "only English"},
        "plain": "not a text object",
        "other": {"ja": "x", "unknown-key": "y"},
    }
    slots = dict(text_slots(value))
    assert list(slots) == [
        "title",
        "pages.p1.fields.sex.label",
        "pages.p1.fields.sex.options.f.label",
        "pages.p1.fields.sex.options.m.label",
        "documents.0",
        "documents.1",
    ]
    assert slots["title"] is value["title"]
    assert list(dict(text_slots(value, "form:1", skip=("pages",)))) == [
        "form:1.title",
        "form:1.documents.0",
        "form:1.documents.1",
    ]


def test_items_sharing_a_key_are_named_by_position():
    value = [
        {"key": "a", "t": {"ja": "一"}},
        {"key": "a", "t": {"ja": "二"}},
        {"key": "b", "t": {"ja": "三"}},
    ]
    assert list(dict(text_slots(value))) == ["0.t", "1.t", "b.t"]


def test_set_translation_never_writes_the_source():
    slot = {"ja": "転入届"}
    assert set_translation(slot, "vi", "Thông báo") and slot["vi"] == "Thông báo"
    assert not set_translation(slot, "vi", "Thông báo")
    for code in ("ja", "fr"):
        with pytest.raises(ValueError):
            set_translation(slot, code, "x")
    assert is_text(slot) and not is_text({"en": "x"}) and not is_text({"ja": 1})
