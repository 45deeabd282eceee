"""The demo's translations: the loader step, and that every demo content text is translated into
each language (or listed in ``fallback.json`` as deliberately left Japanese)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from madoguchi.catalog.models import City, LifeEvent, Procedure
from madoguchi.demo import translations as demo_translations
from madoguchi.faq.models import FaqEntry
from madoguchi.reservations.models import Service
from madoguchi.staff.models import Department
from madoguchi.translations import selectors, sources
from madoguchi.translations.models import SourceRecord

DEMO_DIR = Path(demo_translations.__file__).resolve().parent


def demo_japanese_texts() -> set[str]:
    """Every Japanese content text of the demo: city.json, faq.json and the constant
    ``{"ja": ...}`` dicts written in the demo's Python modules."""
    texts: set[str] = set()
    for name in ("city.json", "faq.json"):
        data = json.loads((DEMO_DIR / "data" / name).read_text(encoding="utf-8"))
        texts.update(demo_translations.japanese_texts_of(data))
    for path in sorted(DEMO_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "ja"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and value.value
                ):
                    texts.add(value.value)
    return texts


def test_the_demo_texts_are_found():
    texts = demo_japanese_texts()
    assert "転入届" in texts  # city.json
    assert "生活保護受給者（手数料免除）" in texts  # payments.py
    assert "胃がん検診" in texts  # reservations.py
    assert any("転入届" in t and "？" in t for t in texts)  # faq.json
    assert len(texts) > 300


@pytest.mark.parametrize("code", demo_translations.DEMO_LANGUAGES)
def test_every_demo_text_is_translated_or_falls_back(code):
    path = demo_translations.TRANSLATIONS_DIR / f"{code}.json"
    if not path.is_file():
        pytest.skip(
            f"demo/data/translations/{code}.json is not delivered yet: the demo shows "
            f"its content in Japanese to {code} readers until it is"
        )
    table = demo_translations.load_tables()[code]
    fallback = json.loads(demo_translations.FALLBACK_FILE.read_text(encoding="utf-8"))
    missing = sorted(t for t in demo_japanese_texts() if t not in table and t not in fallback)
    assert not missing, f"{len(missing)} texts have no {code} translation, e.g. {missing[:5]}"
    kept = [t for t in table if t in fallback]
    assert not kept, f"translated but listed in fallback.json: {kept[:5]}"


def test_the_fallback_list_names_real_demo_texts_with_a_reason():
    fallback = json.loads(demo_translations.FALLBACK_FILE.read_text(encoding="utf-8"))
    assert isinstance(fallback, dict)
    texts = demo_japanese_texts()
    assert all(
        text in texts and isinstance(why, str) and why.strip() for text, why in fallback.items()
    )


@pytest.mark.django_db
def test_the_loader_translates_matching_content(demo, tmp_path):
    """With test translations unlike the shipped ones (which the demo may already carry)."""
    faq = FaqEntry.objects.order_by("pk").first()
    question = faq.question["ja"]
    (tmp_path / "vi.json").write_text(
        json.dumps(
            {
                "転入届": "Thông báo chuyển đến (thử)",
                "市民課": "Phòng Thị dân (thử)",
                "胃がん検診": "Khám sàng lọc ung thư dạ dày (thử)",
                "子どもが生まれた": "Em bé chào đời (thử)",
                question: "Câu hỏi (thử)",
                "緑ヶ丘市": "<b>Midorigaoka</b>",  # markup: refused like in an import
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    (tmp_path / "ko.json").write_text(
        json.dumps({"転入届": "전입신고 (시험)"}, ensure_ascii=False), encoding="utf-8"
    )
    counts = demo_translations.load_demo(tmp_path)
    assert counts["translations"] >= 6
    tennyu = Procedure.objects.get(slug="tennyu")
    assert (
        tennyu.name["vi"] == "Thông báo chuyển đến (thử)" and tennyu.name["ko"] == "전입신고 (시험)"
    )
    assert tennyu.name["en"] == "Moving-in notification"
    assert Department.objects.get(code="shimin").name["vi"] == "Phòng Thị dân (thử)"
    assert Service.objects.filter(name__ja="胃がん検診").first().name["vi"]
    assert LifeEvent.objects.get(slug="birth").name["vi"] == "Em bé chào đời (thử)"
    faq.refresh_from_db()
    assert faq.question["vi"] == "Câu hỏi (thử)"
    assert City.objects.get().name.get("vi") != "<b>Midorigaoka</b>"
    # Through the same write as an import: the source is remembered, nothing is stale.
    assert SourceRecord.objects.filter(key="procedure:tennyu:name", language="vi").exists()
    assert selectors.coverage(sources.procedure_target(tennyu), "vi").stale == 0
    assert demo_translations.load_demo(tmp_path) == {"translations": 0}  # idempotent


def test_form_definitions_get_the_translations_before_they_are_published():
    definition = {
        "title": {"ja": "転入届"},
        "pages": [
            {
                "key": "p",
                "title": "本人",
                "fields": [{"key": "name", "type": "text", "label": {"ja": "氏名", "en": "Name"}}],
            }
        ],
    }
    written = demo_translations.translate_definition(
        definition, {"vi": {"転入届": "Thông báo", "本人": "Bản thân", "氏名": "Họ tên"}}
    )
    assert written == 3
    assert definition["pages"][0]["title"] == {"ja": "本人", "vi": "Bản thân"}
    assert definition["pages"][0]["fields"][0]["label"] == {
        "ja": "氏名",
        "en": "Name",
        "vi": "Họ tên",
    }
