"""Sample applications for the demo city, so its inbox looks like a working day.

Only `make demo` loads them (``manage.py load_demo_cases``); the tests start from the city alone.
Each case goes through the real services: submission, review, 差戻し, approval, issuance.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import Application, Status, StatusEvent
from madoguchi.core.models import User
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.models import FormDefinition
from madoguchi.issuance import services as issuance
from madoguchi.issuance.signing import SigningUnavailable
from madoguchi.payments.transfers import services as payouts
from madoguchi.residents.models import Resident

from .accounts import DEMO_PASSWORD, staff_email

logger = logging.getLogger(__name__)
# The Debian packages the issued notices need (scripts/ensure-system-packages.sh demo).
DEMO_PACKAGES = ("fonts-ipaexfont", "fonts-ipamj-mincho")
# Bank and branch codes of the Zengin list (みずほ銀行 東京営業部, 三菱ＵＦＪ銀行 本店).
DEMO_BANKS = [("0001", "001"), ("0005", "001")]

# Families of the demo, with the 異体字 staff search for (髙, 﨑, 邊, 齋) and a 𠮷.
FAMILIES = [
    ("髙橋", "たかはし", "美咲", "みさき", "一郎", "いちろう"),
    ("山﨑", "やまさき", "健太", "けんた", "彩花", "あやか"),
    ("渡邊", "わたなべ", "由美", "ゆみ", "翔", "しょう"),
    ("齋藤", "さいとう", "誠", "まこと", "結衣", "ゆい"),
    ("佐藤", "さとう", "花子", "はなこ", "大輝", "だいき"),
    ("鈴木", "すずき", "直樹", "なおき", "陽菜", "ひな"),
    ("田中", "たなか", "恵", "めぐみ", "蓮", "れん"),
    ("𠮷田", "よしだ", "浩", "ひろし", "さくら", "さくら"),
    ("伊藤", "いとう", "香織", "かおり", "悠真", "ゆうま"),
    ("中村", "なかむら", "修", "おさむ", "美月", "みづき"),
]
# How far each sample case has gone: its status path after submission.
PATHS = [
    [], [], [], [Status.UNDER_REVIEW], [Status.UNDER_REVIEW], ["correction"],
    [Status.UNDER_REVIEW, Status.APPROVED], [Status.UNDER_REVIEW, Status.REJECTED],
    [Status.UNDER_REVIEW, Status.APPROVED, "issue"], [Status.UNDER_REVIEW],
]


def _answers(spec: FormSpec, family: tuple[str, ...], rng: random.Random) -> dict[str, Any]:
    surname, surname_kana, parent, parent_kana, child, child_kana = family
    post = {
        "applicant": {"applicant_name-family": surname, "applicant_name-given": parent,
                      "applicant_name-family_kana": surname_kana,
                      "applicant_name-given_kana": parent_kana,
                      "relationship": rng.choice(["father", "mother"]),
                      "phone": f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                      "address-postal_code": "999-0101", "address-prefecture": "緑ヶ丘県",
                      "address-city": "緑ヶ丘市",
                      "address-town": rng.choice(["北山", "東原", "西谷"]),
                      "address-street": f"{rng.randint(1, 3000)}番地", "address-building": ""},
        "student": {"student_name-family": surname, "student_name-given": child,
                    "student_name-family_kana": surname_kana,
                    "student_name-given_kana": child_kana,
                    "student_birth_date": f"平成{rng.randint(20, 22)}年{rng.randint(1, 12)}月"
                                          f"{rng.randint(1, 28)}日",
                    "school_name": rng.choice(["緑ヶ丘県立緑ヶ丘高等学校", "緑ヶ丘市立商業高等学校",
                                               "県立北山工業高等学校"]),
                    "grade": str(rng.randint(1, 3))},
        "commute": {"district": rng.choice(["kitayama", "higashihara", "nishitani"]),
                    "term": "first", "transport": rng.choice(["bus", "train"]),
                    "monthly_pass_cost": str(rng.randrange(8000, 24000, 500)),
                    "route": "北山停留所〜緑ヶ丘駅前（市営バス）"},
        "consent": {"consent": "yes"},
    }
    # A form that asks for the account with the bank-account field: typed as codes, as many
    # residents do; notices print the bank's and branch's names.
    bank, branch = rng.choice(DEMO_BANKS)
    for page in spec.pages:
        for field in page.fields:
            if field.type_name == "bank_account":
                post.setdefault(page.key, {}).update({
                    f"{field.key}-bank_code": bank, f"{field.key}-branch_code": branch,
                    f"{field.key}-account_type": "ordinary",
                    f"{field.key}-number": f"{rng.randint(0, 9999999):07d}",
                    f"{field.key}-holder": f"{surname_kana}　{parent_kana}",
                })
    answers: dict[str, Any] = {}
    for page in spec.pages:
        _raw, clean, errors = spec.validate_page(page, post.get(page.key, {}), None, answers)
        if errors:
            raise ValueError(f"demo answers for {page.key} are invalid: {errors}")
        answers.update(clean)
    return answers


@transaction.atomic
def load_demo_cases(count: int = 30) -> int:
    """Create ``count`` sample 通学費 applications once (none when some already exist).

    A case meant to be issued that cannot be (fonts or the signing certificate missing) stays
    承認 with a warning in the log; the other cases load all the same.
    """
    if Application.objects.exists():
        return 0
    version = FormDefinition.objects.get(slug="tsugaku-hojo").live_version
    spec = FormSpec(version.definition)
    clerk = User.objects.get(email=staff_email("kosodate1"))
    rng = random.Random(2026)  # the same demo every time
    now = timezone.now()
    created = 0
    unissued: list[str] = []  # why each case meant to be issued was not
    for index in range(count):
        family = FAMILIES[index % len(FAMILIES)]
        user, _new = User.objects.get_or_create(
            email=f"demo{index + 1:02d}@example.jp",
            defaults={"kind": User.Kind.RESIDENT},
        )
        if _new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            Resident.objects.get_or_create(user=user, defaults={"email_confirmed_at": now})
        application = services.submit_application(
            user=user, version=version, answers=_answers(spec, family, rng), token=uuid.uuid4(),
            spec=spec,
        )
        submitted = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 9))
        Application.objects.filter(pk=application.pk).update(submitted_at=submitted,
                                                             updated_at=submitted)
        StatusEvent.objects.filter(application=application).update(at=submitted)
        _advance(application, PATHS[index % len(PATHS)], clerk, unissued)
        _confirm_amount(application, clerk)
        created += 1
    if unissued:
        logger.warning(
            "Demo: %d approved sample case(s) were not issued and stay 承認: %s. Install the "
            "fonts (sudo apt-get install -y %s) and issue them from the case page.",
            len(unissued), "; ".join(dict.fromkeys(unissued)), " ".join(DEMO_PACKAGES),
        )
    return created


def subsidy_amount(monthly_pass_cost: int, months: int = 6) -> int:
    """通学費補助: half of the monthly pass above 5,000 yen, at most 10,000 yen a month, for the
    six months of a term (as the procedure's description says)."""
    return min(10_000, max(monthly_pass_cost - 5_000, 0) // 2) * months


def _confirm_amount(application: Application, clerk: User) -> None:
    """An approved case gets the amount the clerk confirmed at approval (支給額), so the
    treasury's transfer page has payees."""
    application.refresh_from_db()
    if application.status not in (Status.APPROVED, Status.ISSUED):
        return
    cost = int(application.answers.get("monthly_pass_cost") or 0)
    amount = subsidy_amount(cost)
    if amount:
        payouts.confirm_amount(application=application, amount=amount, actor=clerk)


def _advance(application: Application, path: list[str], clerk: User,
             unissued: list[str]) -> None:
    for step in path:
        application.refresh_from_db()
        if step == "correction":
            services.change_status(application=application, to_status=Status.UNDER_REVIEW,
                                   actor=clerk)
            services.request_correction(
                application=application, fields=["monthly_pass_cost"], actor=clerk,
                message="定期券の金額が領収書と合いません。1か月あたりの金額をご確認ください。",
            )
        elif step == "issue":
            try:
                issuance.issue(application, "grant", clerk)
            except (SigningUnavailable, issuance.IssueRefused) as exc:
                # No demo certificate yet, or fonts missing: the case stays 承認, unissued.
                unissued.append(str(exc))
                return
            services.change_status(application=application, to_status=Status.ISSUED,
                                   actor=clerk, step="issuance")
        else:
            reason = "北山・東原・西谷地区以外にお住まいのため、対象外です。" \
                if step == Status.REJECTED else ""
            services.change_status(application=application, to_status=step, actor=clerk,
                                   reason=reason)
