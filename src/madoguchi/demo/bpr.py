"""Demo BPR worksheets (called by ``load_demo_city``; idempotent): 高校生等通学費補助金 and
がん検診, each as done now (paper, phone, counter) and after the review (online, LINE), with
a few evidence entries. A worksheet that already exists is left as it is (staff may have edited
it in the demo)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from madoguchi.bpr import services
from madoguchi.bpr.models import Step, View, Worksheet
from madoguchi.catalog.models import Procedure
from madoguchi.staff.models import StaffMember

# (actor, action, medium, minutes per case, cases a year, problems, parties, status, replaced by)
Row = tuple[str, str, str, str, int, str, str, str, int | None]

TSUGAKU: dict[str, list[Row]] = {
    View.AS_IS: [
        ("resident", "窓口で申請書を受け取り、記入して提出する", "counter", "15", 600,
         "開庁時間内の来庁が必要。定期券の写しを忘れて出直す人が多い", "", "done", 1),
        ("counter", "申請書の受付、在学証明書・定期券の写しの確認", "counter", "10", 600,
         "記入漏れ・添付不足が約3割あり、再来庁が発生", "", "agreed", 2),
        ("department", "記入漏れ・不備を電話で連絡", "phone", "8", 180,
         "日中につながらず、何度もかけ直す", "", "coordinating", 3),
        ("department", "在学状況を学校へ紙で照会", "paper", "6", 600,
         "回答まで約2週間かかる", "市内高等学校、教育委員会学校教育課", "coordinating", 4),
        ("department", "補助額を計算し、台帳（Excel）へ手入力", "paper", "7", 600,
         "転記ミスの確認に時間がかかる", "", "agreed", 4),
        ("department", "決裁（起案→係長→課長）を紙で回覧", "paper", "5", 600,
         "決裁完了まで約1週間", "総務課（文書管理）", "not_started", 5),
        ("department", "決定通知書を印刷・封入し郵送", "paper", "4", 600,
         "郵送料が年間約5万円", "会計課（郵券）", "not_started", 6),
        ("department", "口座振込データを作成し支払", "paper", "3", 600,
         "口座番号の転記ミス", "会計課", "not_started", 7),
    ],
    View.TO_BE: [
        ("resident", "スマートフォンからオンライン申請（定期券を撮影して添付）", "online", "8", 480,
         "撮影した画像が不鮮明な場合がある", "", "done", None),
        ("department", "申請内容の確認（入力チェック済み、添付画像の確認のみ）", "online", "4", 600,
         "窓口での紙申請（約2割）は書かない窓口で職員が入力", "", "agreed", None),
        ("department", "不備の連絡をLINE・メールで送信", "line", "2", 90,
         "LINE未連携の人には郵送で連絡", "", "coordinating", None),
        ("department", "在学確認を学校と一括照会し、補助額を自動計算", "online", "2", 600,
         "学校側の回答様式の統一が必要", "市内高等学校、教育委員会学校教育課", "coordinating",
         None),
        ("department", "電子決裁", "online", "1", 600, "", "総務課（文書管理）", "not_started",
         None),
        ("department", "決定をマイページとLINEで通知", "line", "0.5", 600,
         "通知を希望しない人には郵送", "", "not_started", None),
        ("department", "振込データを自動作成し支払", "online", "1", 600, "", "会計課",
         "not_started", None),
    ],
}

KENSHIN: dict[str, list[Row]] = {
    View.AS_IS: [
        ("resident", "受診券を見て電話で予約（つながるまでかけ直す）", "phone", "10", 4000,
         "受付開始日に電話が集中し、つながらない", "", "done", 1),
        ("department", "電話で希望日・検診の種類を聞き取り、紙の予約台帳へ記入", "phone", "6", 4000,
         "受付開始月は1日300件を超え、通常業務が止まる", "", "agreed", 2),
        ("department", "予約の変更・キャンセルの電話対応", "phone", "5", 800, "", "", "agreed", 3),
        ("department", "予約確認はがきを作成し郵送", "paper", "3", 4000, "はがき代が年間約25万円",
         "", "coordinating", 4),
        ("department", "検診機関へ受診者名簿をFAXで送付", "paper", "2", 4000,
         "FAXの誤送信のおそれ", "市医師会、検診機関", "coordinating", 5),
        ("counter", "当日、受診券と本人確認書類を確認", "counter", "3", 3600, "", "検診機関",
         "not_started", 6),
    ],
    View.TO_BE: [
        ("resident", "オンライン・LINEで空き枠を見て予約", "online", "3", 3200,
         "高齢の方はスマートフォンの操作に不安がある", "", "done", None),
        ("department", "スマートフォンを使わない人の電話予約を職員が代行入力", "phone", "4", 800,
         "電話受付は縮小して残す", "", "agreed", None),
        ("resident", "予約の変更・キャンセルをマイページで行う", "online", "1", 800, "", "",
         "agreed", None),
        ("department", "予約確認と前日のお知らせをメール・LINEで自動送信", "line", "0", 4000, "",
         "", "coordinating", None),
        ("department", "検診機関が管理画面から名簿をダウンロード", "online", "0.5", 4000,
         "検診機関のアカウント管理", "市医師会、検診機関", "coordinating", None),
        ("counter", "当日、予約番号の二次元コードを読み取って受付", "counter", "2", 3600, "",
         "検診機関", "not_started", None),
    ],
}

# (procedure, view, order, date, who, agreed)
EVIDENCE = [
    ("tsugaku-hojo", View.AS_IS, 4, dt.date(2026, 10, 14), "市内高等学校 教頭会",
     "在学確認は年1回の名簿照会に切り替えることで合意。様式は教育委員会が用意する。"),
    ("tsugaku-hojo", View.AS_IS, 7, dt.date(2026, 11, 5), "会計課 出納係",
     "決定通知はマイページ通知を原則とし、希望者のみ郵送とすることを確認。"),
    ("gan-kenshin", View.AS_IS, 2, dt.date(2026, 9, 2), "健康増進課 課内会議",
     "受付開始月の電話受付を縮小し、オンライン予約を案内する方針を決定。"),
    ("gan-kenshin", View.AS_IS, 5, dt.date(2026, 10, 20), "市医師会 事務局",
     "名簿はダウンロード方式に切り替えることで合意。FAXは来年度4月に廃止。"),
]

WORKSHEETS = {"tsugaku-hojo": TSUGAKU, "gan-kenshin": KENSHIN}


def _views(rows: dict[str, list[Row]]) -> dict[str, list[tuple[int, services.StepData]]]:
    return {view: [(order, services.StepData(
        actor=a, action=action, medium=m, minutes_per_case=Decimal(minutes),
        cases_per_year=cases, problems=problems, parties=parties, status=status,
        replaced_by=replaced_by if view == View.AS_IS else None))
        for order, (a, action, m, minutes, cases, problems, parties, status, replaced_by)
        in enumerate(items, start=1)] for view, items in rows.items()}


@transaction.atomic
def load_demo() -> dict[str, Any]:
    """Create the demo worksheets that do not exist yet."""
    created = 0
    for slug, rows in WORKSHEETS.items():
        procedure = Procedure.objects.filter(slug=slug).first()
        if procedure is None or Worksheet.objects.filter(procedure=procedure).exists():
            continue
        head = StaffMember.objects.filter(department_id=procedure.department_id,
                                          role=StaffMember.Role.HEAD).select_related("user")
        author = head.first().user if head.exists() else None
        worksheet = services.create_worksheet(procedure, author=author)
        services.replace_steps(worksheet, _views(rows), author=author,
                               note="現状と見直し後の手順を入力（デモ）")
        for procedure_slug, view, order, date, who, agreed in EVIDENCE:
            if procedure_slug == slug and author is not None:
                step = Step.objects.get(worksheet=worksheet, view=view, order=order)
                services.add_evidence(step, date=date, who=who, agreed=agreed, author=author)
        created += 1
    return {"bpr worksheets": created}
