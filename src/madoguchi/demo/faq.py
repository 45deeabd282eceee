"""Demo data of the FAQ app (called by ``load_demo_city``; must be idempotent): 30 questions and
answers of 緑ヶ丘市's departments, an inquiry from the demo resident answered by 子育て支援課, one
waiting for 市民課, and a few chat questions the FAQ could not answer."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.faq import search_source
from madoguchi.faq.models import ChatQuestion, FaqEntry, Inquiry, InquiryMessage
from madoguchi.faq.services import fold_question
from madoguchi.staff.models import Department

from .accounts import DEMO_RESIDENT_EMAIL, staff_email

DEMO_FILE = Path(__file__).resolve().parent / "data" / "faq.json"

UNANSWERED = [
    ("粗大ごみはどうやって出せばいいですか", 3),
    ("図書館は何時まで開いていますか", 2),
    ("犬の登録はどこでできますか", 1),
]


def _entries() -> int:
    departments = {d.code: d for d in Department.objects.all()}
    procedures = {p.slug: p for p in Procedure.objects.all()}
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    kept = []
    for order, row in enumerate(rows):
        department = departments.get(row["department"])
        if department is None:
            continue
        procedure = procedures.get(row.get("procedure") or "")
        entry = FaqEntry.objects.filter(department=department,
                                        question__ja=row["q"]["ja"]).first()
        entry = entry or FaqEntry(department=department)
        entry.question, entry.answer = row["q"], row["a"]
        entry.keywords = row.get("keywords", [])
        entry.procedure = procedure
        entry.is_published = True
        entry.sort = (order + 1) * 10
        entry.save()
        kept.append(entry.pk)
    for pk in kept:
        search_source.reindex(pk)
    return len(kept)


def _inquiries() -> int:
    resident = User.objects.filter(email=DEMO_RESIDENT_EMAIL).first()
    clerk = User.objects.filter(email=staff_email("kosodate1")).first()
    kosodate = Department.objects.filter(code="kosodate").first()
    shimin = Department.objects.filter(code="shimin").first()
    if not (resident and clerk and kosodate and shimin):
        return 0
    subject = "児童手当の振込先口座を変えたい"
    if not Inquiry.objects.filter(resident=resident, subject=subject).exists():
        inquiry = Inquiry.objects.create(resident=resident, department=kosodate, subject=subject,
                                         status=Inquiry.Status.ANSWERED)
        InquiryMessage.objects.create(
            inquiry=inquiry, author=resident, from_staff=False,
            body="給与の振込口座を変えたので、児童手当の振込先も新しい口座にしたいです。"
                 "オンラインで手続きできますか？")
        InquiryMessage.objects.create(
            inquiry=inquiry, author=clerk, from_staff=True,
            body="お問い合わせありがとうございます。振込先の変更は「児童手当 口座変更届」で"
                 "受け付けています。新しい口座の通帳かキャッシュカードの写しを添えて、"
                 "子育て支援課（本庁舎2階 5番窓口）へお出しください。郵送でも受け付けます。")
    subject = "転入届と一緒にできる手続きを知りたい"
    if not Inquiry.objects.filter(resident=resident, subject=subject).exists():
        inquiry = Inquiry.objects.create(resident=resident, department=shimin, subject=subject)
        InquiryMessage.objects.create(
            inquiry=inquiry, author=resident, from_staff=False,
            body="来月、家族4人で緑ヶ丘市に引っ越します。転入届の日に、ほかにどんな手続きを"
                 "まとめてできますか？子どもは小学生と2歳です。")
    return Inquiry.objects.filter(resident=resident).count()


def _chat_questions() -> None:
    for text, times in UNANSWERED:
        folded = fold_question(text)
        have = ChatQuestion.objects.filter(folded=folded).count()
        for _ in range(max(0, times - have)):
            ChatQuestion.objects.create(text=text, folded=folded, language="ja")


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or update the demo rows. Returns counts for the summary line."""
    counts = {"faq_entries": _entries(), "inquiries": _inquiries()}
    _chat_questions()
    return counts
