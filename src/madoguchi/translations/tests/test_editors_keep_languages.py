"""The ja/en editors (navigator, FAQ, form builder) keep the texts of the other languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.catalog.models import LifeEvent, NavigatorQuestion, NavigatorRule
from madoguchi.catalog.navigator.staff_forms import LifeEventForm, QuestionForm, RuleForm
from madoguchi.conftest import client_for
from madoguchi.core.models import User
from madoguchi.core.textkeys import keep_other_languages
from madoguchi.demo.accounts import staff_email
from madoguchi.faq.models import FaqEntry
from madoguchi.forms import builder
from madoguchi.forms.builder.settings import read_settings

pytestmark = pytest.mark.django_db

OTHERS = {
    "zh-hans": "中文",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "pt-br": "Português",
    "ja-easy": "やさしい",
}


def test_keep_other_languages():
    old = {"ja": "古い", "en": "Old", **OTHERS}
    assert keep_other_languages(old, {"ja": "新しい", "en": "New"}) == {
        "ja": "新しい",
        "en": "New",
        **OTHERS,
    }
    assert keep_other_languages(old, {"ja": "新しい", "en": ""}) == {"ja": "新しい", **OTHERS}
    assert keep_other_languages(old, {"ja": "", "en": "New"}) == {"en": "New"}
    assert keep_other_languages(None, {"ja": "新", "en": ""}) == {"ja": "新"}


def test_the_faq_editor_keeps_translations(demo):
    clerk = User.objects.get(email=staff_email("shimin1"))
    entry = FaqEntry.objects.filter(department=clerk.staff_profile.department).first()
    entry.question = {**entry.question, **OTHERS}
    entry.answer = {**entry.answer, "vi": "Trả lời"}
    entry.save()
    response = client_for(clerk).post(
        reverse("faq_staff:entry_edit", args=[entry.pk]),
        {
            "question_ja": "新しい質問",
            "question_en": "New question",
            "answer_ja": entry.answer["ja"],
            "answer_en": "",
            "keywords": "",
            "procedure": "",
            "sort": "10",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.question == {"ja": "新しい質問", "en": "New question", **OTHERS}
    assert entry.answer["vi"] == "Trả lời" and "en" not in entry.answer


def test_the_navigator_editors_keep_translations(demo):
    event = LifeEvent.objects.get(slug="birth")
    event.name = {"ja": "子どもが生まれた", "en": "A baby was born", **OTHERS}
    event.save()
    form = LifeEventForm(
        {
            "slug": event.slug,
            "name_ja": "出生",
            "name_en": "Birth",
            "date_label_ja": "生まれた日",
            "date_label_en": "Date of birth",
            "sort_order": "0",
            "is_published": "on",
        },
        instance=event,
    )
    assert form.is_valid(), form.errors
    assert form.save().name == {"ja": "出生", "en": "Birth", **OTHERS}

    question = NavigatorQuestion.objects.filter(event=event).first()
    question.text = {"ja": "古い質問", "en": "Old question", "ko": "질문"}
    question.save()
    form = QuestionForm(
        {
            "key": question.key,
            "kind": question.kind,
            "text_ja": "質問",
            "text_en": "Question",
            "minimum": "0",
            "maximum": "20",
            "sort_order": "0",
        },
        event=event,
        instance=question,
    )
    assert form.is_valid(), form.errors
    assert form.save().text == {"ja": "質問", "en": "Question", "ko": "질문"}

    rule = NavigatorRule.objects.filter(event=event).select_related("procedure").first()
    rule.why = {"ja": "古い理由", "pt-br": "Porque"}
    rule.save()
    form = RuleForm(
        {
            "procedure": rule.procedure_id,
            "why_ja": "理由",
            "why_en": "Because",
            "match": "all",
            "deadline_kind": "none",
            "deadline_amount": "0",
            "deadline_unit": "days",
            "opens_days_before": "0",
            "sort_order": "0",
        },
        event=event,
        department_id=rule.procedure.department_id,
        instance=rule,
    )
    assert form.is_valid(), form.errors
    assert form.save().why == {"ja": "理由", "en": "Because", "pt-br": "Porque"}


def test_the_form_builder_keeps_translations():
    definition = {
        "title": {"ja": "申請", "en": "Application", **OTHERS},
        "pages": [
            {
                "key": "p1",
                "title": {"ja": "本人", "vi": "Bản thân"},
                "intro": {"ja": "説明", "ko": "설명"},
                "fields": [
                    {
                        "key": "sex",
                        "type": "choice",
                        "label": {"ja": "性別", **OTHERS},
                        "hint": {"ja": "選ぶ", "zh-hans": "选择"},
                        "options": [
                            {"value": "f", "label": {"ja": "女性", "vi": "Nữ"}},
                            {"value": "m", "label": {"ja": "男性", "vi": "Nam"}},
                        ],
                    }
                ],
            }
        ],
    }
    page, _summary = builder.update_page(
        definition, "p1", title_ja="本人", title_en="You", intro_ja="説明", intro_en=""
    )
    assert page["pages"][0]["title"] == {"ja": "本人", "en": "You", "vi": "Bản thân"}
    assert page["pages"][0]["intro"] == {"ja": "説明", "ko": "설명"}
    settings, _summary = builder.set_settings(
        definition,
        title_ja="申請書",
        title_en="",
        access="resident",
        applicant_field="",
        contact_field="",
    )
    assert settings["title"] == {"ja": "申請書", **OTHERS}
    field = definition["pages"][0]["fields"][0]
    changes, errors = read_settings(
        field,
        {
            "label_ja": "性別",
            "label_en": "Sex",
            "hint_ja": "選ぶ",
            "hint_en": "",
            "options": "女性 / Female\n男性 / Male\nその他 / Other",
        },
    )
    assert not errors
    assert changes["label"] == {"ja": "性別", "en": "Sex", **OTHERS}
    assert changes["hint"] == {"ja": "選ぶ", "zh-hans": "选择"}
    assert changes["options"][0]["label"] == {"ja": "女性", "en": "Female", "vi": "Nữ"}
    assert changes["options"][2]["label"] == {"ja": "その他", "en": "Other"}
