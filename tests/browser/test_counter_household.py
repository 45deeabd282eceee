"""The headline of the counter (書かない窓口): a household of three moves in.

Two parents and a school-age child come from another city. The parent makes a pre-application
on a phone at home (スマート申請): the life event, the household members once, and the forms'
questions. At the counter a clerk of 市民課 opens it by its code, checks the identity, and files
転入届, 国民健康保険 加入, 児童手当, 子ども医療費助成 and the school transfer (five applications,
three departments) from one interview; the resident confirms and signs (転入届 needs it) on the
screen facing them (checked at 200 % zoom) and the summary sheet prints.

The same household is also served as a walk-in without a pre-application (the clerk types the
parent and the household members once), and the same applications are filed through the
resident forms one by one, as before the counter existed. The keys of the three ways are
compared; the resident's keys on the phone are printed apart from the clerk's.

Keys are counted the same way everywhere: every character typed into a field (a value
already in the field, prefilled, is not typed again), one key per choice, tick, file picked,
link followed, button pressed or signature drawn. Signing in is left out everywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import scroll_width, sign_in, submit, text_without_ruby
from playwright.sync_api import expect

from madoguchi.applications.models import Application, Channel
from madoguchi.counter import preapplication as pre_app
from madoguchi.counter.interview import Question, build_questions
from madoguchi.counter.models import PreApplication, Signature, Visit
from madoguchi.counter.selectors import sources
from madoguchi.demo.accounts import DEMO_RESIDENT_EMAIL
from madoguchi.demo.city import DEMO_PASSWORD, staff_email
from madoguchi.forms.models import FormDefinition
from madoguchi.forms.services import publish
from madoguchi.jp import wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.jp.mynumber import my_number_check_digit

pytestmark = pytest.mark.browser

FORMS = ["tennyu", "kokuho-kanyu", "jido-teate", "kodomo-iryohi", "shugaku"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
CARD = {"name": "保険証.png", "mimeType": "image/png", "buffer": PNG}
MY_NUMBER = "12345678901" + str(my_number_check_digit("12345678901"))

# The parent who files, as the clerk types them once (the new resident's page).
PARENT = {
    "family": "山田", "given": "健一", "family_kana": "ヤマダ", "given_kana": "ケンイチ",
    "birth": "1985-05-10", "sex": "male", "phone": "090-1111-2222",
    "postal_code": "999-0101", "prefecture": "緑ヶ丘県", "city": "緑ヶ丘市", "town": "北山",
    "street": "2-3-4",
}


def _name(prefix: str, family: str, given: str, family_kana: str, given_kana: str
          ) -> dict[str, str]:
    return {f"{prefix}-family": family, f"{prefix}-given": given,
            f"{prefix}-family_kana": family_kana, f"{prefix}-given_kana": given_kana}


P = PARENT
APPLICANT = {
    **_name("applicant_name", P["family"], P["given"], P["family_kana"], P["given_kana"]),
    "birth_date": P["birth"], "phone": P["phone"],
    **{f"address-{k}": P[k] for k in ("postal_code", "prefecture", "city", "town", "street")},
}
SPOUSE = ("山田", "由美", "ヤマダ", "ユミ")
CHILD = ("山田", "翔太", "ヤマダ", "ショウタ")
SPOUSE_BIRTH, CHILD_BIRTH = "1987-08-20", "2016-06-15"
MOVED_ON = (dt.date.today() - dt.timedelta(days=3)).isoformat()
MEMBERS = {**_name("member1_name", *SPOUSE), "member1_birth_date": SPOUSE_BIRTH,
           "member1_relationship": "spouse",
           **_name("member2_name", *CHILD), "member2_birth_date": CHILD_BIRTH,
           "member2_relationship": "child"}
CHILD_ROW = {**_name("children-0-child_name", *CHILD), "children-0-child_birth_date": CHILD_BIRTH,
             "children-0-child_lives_with": "together"}

# What each form needs, by the resident pages' field names (answers the form does not show,
# e.g. a condition not met, are skipped).
ANSWERS: dict[str, dict[str, Any]] = {
    "tennyu": {**APPLICANT, "sex": P["sex"], "moved_on": MOVED_ON,
               "previous_address": "青葉県青葉市中央1-2-3", "head": "self",
               "with_others": "yes", **MEMBERS, "consent": True},
    "kokuho-kanyu": {**APPLICANT, "my_number": MY_NUMBER, "reason": "moved_in",
                     "start_date": MOVED_ON, "householder_joins": "yes", "with_others": "yes",
                     **MEMBERS, "consent": True},
    "jido-teate": {**APPLICANT, "my_number": MY_NUMBER, "employment": "self",
                   "has_spouse": "yes", **_name("spouse_name", *SPOUSE),
                   "spouse_lives_with": "together", **CHILD_ROW,
                   "children-0-child_relationship": "child",
                   "payment_account-bank_code": "0001", "payment_account-branch_code": "001",
                   "payment_account-account_type": "ordinary",
                   "payment_account-number": "1234567", "payment_account-holder": "ヤマダ ケンイチ",
                   "consent": True},
    "kodomo-iryohi": {**APPLICANT, "relationship": "father", "my_number": MY_NUMBER,
                      "insurance_type": "kokuho", "insurance_card_copy": CARD, **CHILD_ROW,
                      "other_subsidy": "no", "consent": True},
    "shugaku": {**APPLICANT, **_name("child_name", *CHILD), "child_birth_date": CHILD_BIRTH,
                "child_sex": "male", "grade": "e5", "previous_school": "青葉市立中央小学校",
                "consent": True},
}


class Keys:
    """Counts the keys one way of filing takes (see the module's docstring)."""

    def __init__(self) -> None:
        self.count = 0
        self.where = "start"
        self.pages: dict[str, int] = {}
        self.fields: dict[str, int] = {}

    def at(self, where: str) -> None:
        """Name the page the next keys are pressed on (for the breakdown)."""
        self.where = where

    def press(self, n: int = 1, field: str = "") -> None:
        self.count += n
        self.pages[self.where] = self.pages.get(self.where, 0) + n
        if field:
            label = f"{self.where} {field}"
            self.fields[label] = self.fields.get(label, 0) + n

    def breakdown(self, title: str) -> None:
        print(f"{title} by page: " + ", ".join(f"{k} {v}" for k, v in self.pages.items()))
        print(f"{title} by field: " + ", ".join(f"{k} {v}" for k, v in self.fields.items()))

    def put(self, page: Any, name: str, value: Any) -> bool:
        """Answer the field ``name`` on the page (if it shows it); False when it does not."""
        element = page.locator(f'main form[method=post] [name="{name}"]')
        if element.count() == 0:
            return False
        kind = element.first.evaluate("e => e.type")
        shown = element.first
        if kind in ("radio", "checkbox"):  # styled choices: the label is what shows
            shown = page.locator(f'label[for="{element.first.get_attribute("id")}"]')
        if not shown.is_visible():
            return False
        if isinstance(value, dict):  # a file
            element.set_input_files([value])
            self.press(field=name)
        elif kind == "radio":
            choice = page.locator(f'main form[method=post] input[name="{name}"][value="{value}"]')
            if not choice.is_checked():
                choice.check()
                self.press(field=name)
        elif kind == "checkbox":
            if not element.first.is_checked():
                element.first.check()
                self.press(field=name)
        elif kind.startswith("select"):
            if element.input_value() != value:
                element.select_option(value)
                self.press(field=name)
        elif not _same(element.input_value(), value):
            element.fill("")
            element.press_sequentially(value)
            self.press(len(value), field=name)
        return True

    def submit(self, page: Any, selector: str | None = None) -> Any:
        self.press()
        return submit(page, selector) if selector else submit(page)


def _same(shown: str, value: str) -> bool:
    """Whether the field already holds the value as the site writes it (a prefilled date in
    和暦, a phone without hyphens), so nobody types it again."""
    def plain(text: str) -> str:
        return text.replace("-", "").replace(" ", "").replace("\u3000", "")

    if not shown:
        return False
    with contextlib.suppress(JPValueError):
        return wareki.parse_date(shown) == wareki.parse_date(value)
    return plain(shown) == plain(value)


def _names(questions: list[Question]) -> Iterator[tuple[str, Any]]:
    """The inputs of interview questions and the value each takes: a question asked once for
    several forms takes the answer of the first form asking it."""
    for question in questions:
        slug, key = question.targets[0]
        for raw, value in ANSWERS[slug].items():
            if raw == key or raw.startswith(f"{key}-"):
                yield question.name + raw[len(key):], value


HOUSEHOLD = [(SPOUSE, SPOUSE_BIRTH, "female", "spouse"), (CHILD, CHILD_BIRTH, "male", "child")]
EVENT = {"move_in-date": MOVED_ON, "move_in-children": "1", "move_in-school_children": "yes",
         "move_in-kokuho": "yes"}


def _household(page: Any, keys: Keys, *, js: bool) -> None:
    """The spouse and the child, typed once: they fill every form's questions about them."""
    for row, (member, birth, sex, relationship) in enumerate(HOUSEHOLD):
        keys.press()
        if js:  # htmx adds the row in place and puts the focus on its first answer
            page.locator("#f-household-add").click()
            expect(page.locator(f'[name="household-{row}-name-family"]')).to_be_focused()
        else:
            submit(page, "#f-household-add")
        for name, value in {**_name(f"household-{row}-name", *member),
                            f"household-{row}-birth_date": birth, f"household-{row}-sex": sex,
                            f"household-{row}-relationship": relationship}.items():
            assert keys.put(page, name, value), name


def _sign_and_confirm(screen: Any, clerk: Any, keys: Keys, assert_accessible: Any) -> None:
    """The screen facing the resident, at 200 % zoom: axe-clean, no sideways scrolling; the
    resident draws their signature (転入届 needs it) and confirms with one tap."""
    screen.goto(clerk.locator("main a[target=counter-screen]").get_attribute("href"))
    # The demo city shows ふりがな on this screen: the heading's words, without the readings.
    expect(screen.get_by_role("heading", level=1)).to_have_accessible_name(
        re.compile(r"申請\s*の\s*内容\s*をご\s*確認\s*ください"))
    assert screen.locator("h1 ruby").count() > 0
    shown = text_without_ruby(screen.locator("main"))
    for title in ("転入届", "国民健康保険 加入届", "児童手当 認定請求"):
        assert title in shown, title
    canvas = screen.locator("canvas.counter-sign__canvas")
    expect(canvas).to_be_visible()
    assert_accessible(screen, "resident screen at 200 %")
    assert scroll_width(screen) <= 640
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    keys.press()  # the signature, drawn in one stroke
    screen.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    screen.mouse.down()
    for step in range(1, 12):
        screen.mouse.move(box["x"] + 20 + step * box["width"] / 14,
                          box["y"] + box["height"] * (0.6 - 0.3 * (step % 2)))
    screen.mouse.up()
    keys.submit(screen, "main button.button--large")
    expect(screen.locator(".counter-screen__done")).to_be_visible()


def _send_and_print(clerk: Any, keys: Keys, visit: Visit, assert_accessible: Any) -> None:
    keys.at("visit")
    keys.press()
    clerk.reload()
    expect(clerk.locator("main")).to_contain_text("画面に署名しました")
    keys.submit(clerk, "main button[accesskey=s]")
    expect(clerk.locator("h1")).to_contain_text("本日の手続き")
    visit.refresh_from_db()
    made = list(Application.objects.filter(pk__in=visit.applications).select_related(
        "procedure", "department"))
    assert sorted(a.procedure.slug for a in made) == sorted(FORMS)
    assert {a.channel for a in made} == {Channel.COUNTER}
    assert len({a.department.code for a in made}) >= 3
    for application in made:
        expect(clerk.locator("main")).to_contain_text(application.receipt_number)
    # The signature is attached to the application whose form needs it, and only to it.
    signed = Signature.objects.filter(visit=visit).select_related("application__procedure")
    assert [s.application.procedure.slug for s in signed] == ["tennyu"]
    assert signed[0].method == Signature.Method.DRAWN
    assert_accessible(clerk, "summary")
    keys.at("summary")
    # The sheet prints: only the sheet (steps and shortcuts hidden), as a PDF from the browser.
    clerk.emulate_media(media="print")
    expect(clerk.locator(".counter-sheet")).to_be_visible()
    expect(clerk.locator(".counter-steps")).to_be_hidden()
    assert clerk.pdf(format="A4")[:4] == b"%PDF"
    clerk.emulate_media(media="screen")
    keys.press()
    clerk.get_by_role("link", name="窓口対応に戻る").click()
    expect(clerk.locator(".counter-timeline")).to_contain_text("住民が署名")
    keys.submit(clerk, "main button:text-is('対応を終了する')")
    visit.refresh_from_db()
    assert visit.state == Visit.State.ENDED and visit.forms_produced == len(FORMS)
    assert visit.minutes is not None
    # The page script counted the keys the browser sent as key presses (characters typed
    # through an input method, as the kanji here, reach the page without them).
    assert visit.clerk_keys is not None and 0 < visit.clerk_keys <= keys.count


def _walk_in(clerk: Any, screen: Any, assert_accessible: Any) -> Keys:
    """The household served without a pre-application: everything typed once by the clerk."""
    keys = Keys()
    clerk.goto("/staff/counter/")
    assert_accessible(clerk, "counter start")
    keys.at("start")
    keys.submit(clerk, "main button[accesskey=n]")
    assert_accessible(clerk, "identify")
    keys.at("identify")
    keys.press()
    clerk.get_by_role("link", name="新しい住民（市外からの転入）：情報を一度だけ入力する").click()
    expect(clerk.locator("h1")).to_have_text("新しい住民")
    keys.at("new-resident")
    for name, value in {
        **_name("applicant_name", P["family"], P["given"], P["family_kana"], P["given_kana"]),
        "applicant_birth_date": P["birth"], "applicant_sex": P["sex"],
        **{f"applicant_address-{k}": P[k]
           for k in ("postal_code", "prefecture", "city", "town", "street")},
        "applicant_phone": P["phone"],
    }.items():
        assert keys.put(clerk, name, value), name
    assert_accessible(clerk, "new resident")
    keys.submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("できごと")
    assert_accessible(clerk, "life events")
    keys.at("plan")
    clerk.locator('input[name="event"][value="move_in"]').check()
    keys.press()
    for name, value in EVENT.items():
        assert keys.put(clerk, name, value), name
    _household(clerk, keys, js=True)
    assert_accessible(clerk, "life events with the household")
    keys.submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("必要な手続き")
    assert_accessible(clerk, "procedures")
    keys.at("procedures")
    for slug in FORMS:  # every move-in form can be filed here now, and is chosen
        expect(clerk.locator(f'input[name="form"][value="{slug}"]')).to_be_checked()
    keys.submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("聞き取り")
    # What the clerk typed for the new resident and the household is there already.
    expect(clerk.locator('[name="c_applicant_name-family"]')).to_have_value(P["family"])
    expect(clerk.locator('[name="c_child_1_name-given"]')).to_have_value(CHILD[1])
    assert_accessible(clerk, "interview")
    keys.at("interview")
    visit = Visit.objects.latest("opened_at")
    for name, value in _names(build_questions(sources(visit))):
        assert keys.put(clerk, name, value), name
    keys.submit(clerk, "main form.counter-form > button[accesskey=n]")
    expect(clerk.locator("h1")).to_contain_text("窓口対応")
    assert_accessible(clerk, "visit")
    keys.at("screen")
    _sign_and_confirm(screen, clerk, keys, assert_accessible)
    _send_and_print(clerk, keys, visit, assert_accessible)
    return keys


def _pre_application(phone: Any, assert_accessible: Any) -> tuple[Keys, str]:
    """The parent's pre-application on a phone at home, without JavaScript."""
    keys = Keys()
    keys.at("pre-start")
    keys.press()  # the city's link to the pre-application
    phone.goto("/pre/")
    phone.locator("#pre-move_in").check()
    keys.press()
    keys.submit(phone)
    keys.at("pre-events")
    for name, value in EVENT.items():
        assert keys.put(phone, name, value), name
    _household(phone, keys, js=False)
    assert_accessible(phone, "pre-application events with the household")
    assert scroll_width(phone) <= 320
    keys.submit(phone)

    expect(phone.locator("h1")).to_have_text("申請書の質問")
    keys.at("pre-answers")
    pre = PreApplication.objects.get()
    questions = pre_app.resident_questions(pre_app.sources(pre_app.data(pre), dt.date.today()))
    # The household members typed once fill the member, spouse and child questions.
    expect(phone.locator('[name="c_child_1_name-given"]')).to_have_value(CHILD[1])
    for name, value in _names(questions):
        keys.put(phone, name, value)
    assert_accessible(phone, "pre-application answers")
    keys.submit(phone)
    code = phone.locator(".preapp-code__code strong").inner_text()
    return keys, code


def _with_pre_application(clerk: Any, screen: Any, code: str, assert_accessible: Any) -> Keys:
    """The household at the counter with the pre-application: the clerk opens it by its code
    and checks the identity; what is left is what is not asked at home (My Number, files)."""
    keys = Keys()
    clerk.goto("/staff/counter/")
    keys.at("start")
    keys.submit(clerk, "main button[accesskey=n]")
    keys.at("identify")
    assert keys.put(clerk, "code", code.replace("-", ""))
    keys.submit(clerk, "main form button:has-text('事前申請を開く')")
    expect(clerk.locator("main")).to_contain_text("事前申請を開きました")
    keys.press()
    clerk.get_by_role("link", name="新しい住民（市外からの転入）：情報を一度だけ入力する").click()
    expect(clerk.locator("h1")).to_have_text("新しい住民")
    keys.at("new-resident")
    # What the resident typed at home is there, for the clerk to check against the ID card.
    for name, value in {
        **_name("applicant_name", P["family"], P["given"], P["family_kana"], P["given_kana"]),
        "applicant_birth_date": P["birth"], "applicant_sex": P["sex"],
        **{f"applicant_address-{k}": P[k]
           for k in ("postal_code", "prefecture", "city", "town", "street")},
        "applicant_phone": P["phone"],
    }.items():
        assert keys.put(clerk, name, value), name
    keys.submit(clerk, "main form button[accesskey=n]")
    expect(clerk.locator("h1")).to_have_text("できごと")
    keys.at("plan")
    expect(clerk.locator('input[name="event"][value="move_in"]')).to_be_checked()
    expect(clerk.locator('[name="household-1-name-given"]')).to_have_value(CHILD[1])
    keys.submit(clerk, "main form button[accesskey=n]")
    expect(clerk.locator("h1")).to_have_text("必要な手続き")
    keys.at("procedures")
    keys.submit(clerk, "main form button[accesskey=n]")
    expect(clerk.locator("h1")).to_have_text("聞き取り")
    keys.at("interview")
    visit = Visit.objects.latest("opened_at")
    for name, value in _names(build_questions(sources(visit))):
        assert keys.put(clerk, name, value), name
    keys.submit(clerk, "main form.counter-form > button[accesskey=n]")
    expect(clerk.locator("h1")).to_contain_text("窓口対応")
    # The timeline shows the pre-application opened.
    expect(clerk.locator(".counter-timeline")).to_contain_text("事前申請を開いた")
    keys.at("screen")
    _sign_and_confirm(screen, clerk, keys, assert_accessible)
    _send_and_print(clerk, keys, visit, assert_accessible)
    return keys


@pytest.fixture
def zoomed_screen(new_page: Any) -> Any:
    """The resident's screen at 200 % zoom: a 1280×800 window lays out 640×400 CSS pixels."""
    return new_page(width=640, height=400)


def test_a_household_of_three_moves_in(new_page, zoomed_screen, assert_accessible) -> None:
    clerk = new_page()
    sign_in(clerk, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    walk_in = _walk_in(clerk, zoomed_screen, assert_accessible)
    phone = new_page(js=False, width=320, height=640)
    at_home, code = _pre_application(phone, assert_accessible)
    counter = _with_pre_application(clerk, zoomed_screen, code, assert_accessible)

    # The same applications through the resident forms, one by one. The city takes four of them
    # at the counter only; for this comparison they are opened to residents, as if each were
    # filled in separately.
    for slug in FORMS:
        form = FormDefinition.objects.get(slug=slug)
        definition = dict(form.live_version.definition)
        if definition.get("access") == "counter":
            definition["access"] = "resident"
            publish(form, definition)
    separate = Keys()
    resident = new_page()
    sign_in(resident, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    for slug in FORMS:
        separate.at(slug)
        separate.press()  # the procedure's "apply online" link
        resident.goto(f"/apply/{slug}/")
        for _page in range(10):
            path = urlsplit(resident.url).path
            if path == f"/apply/{slug}/check/":
                break
            shown = [n for n, v in ANSWERS[slug].items() if separate.put(resident, n, v)]
            assert shown, f"{slug}: nothing to answer on {path}"
            response = separate.submit(resident)
            assert response.ok and urlsplit(resident.url).path != path, \
                resident.locator("main").inner_text()[:800]
        separate.submit(resident)
        expect(resident.locator("main")).to_contain_text("受付番号")
    assert Application.objects.filter(channel=Channel.ONLINE).count() == len(FORMS)

    walk_in.breakdown("walk-in counter keys")
    at_home.breakdown("pre-application keys")
    counter.breakdown("counter keys")
    separate.breakdown("separate keys")
    m = separate.count
    print(f"walk-in counter keys: {walk_in.count} (no pre-application)")
    print(f"pre-application keys: {at_home.count} (the resident, on the phone at home)")
    print(f"counter keys: {counter.count}")
    print(f"separate keys: {m}")
    print(f"walk-in keys ratio: {walk_in.count}/{m} = {walk_in.count / m:.2f}")
    print(f"keys ratio with the pre-application's keys: {counter.count + at_home.count}/{m} = "
          f"{(counter.count + at_home.count) / m:.2f}")
    print(f"keys ratio: {counter.count}/{m} = {counter.count / m:.2f}")
