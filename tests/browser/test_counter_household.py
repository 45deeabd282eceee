"""The headline of the counter (書かない窓口): a household of three moves in.

Two parents and a school-age child come from another city. At the counter a clerk of 市民課
types the parent once as a new resident, picks 転入, and files 転入届, 国民健康保険 加入,
児童手当, 子ども医療費助成 and the school transfer (five applications, three departments) from
one interview; the resident confirms on the screen facing them (checked at 200 % zoom) and the
summary sheet prints. Then the same applications are filed through the resident forms one by
one, as before the counter existed, and the keys of both ways are compared.

Keys are counted the same way on both sides: every character typed into a field (a value
already in the field, prefilled, is not typed again), one key per choice, tick, file picked,
link followed or button pressed. Signing in is left out on both sides.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import scroll_width, sign_in, submit
from playwright.sync_api import expect

from madoguchi.applications.models import Application, Channel
from madoguchi.counter.interview import build_questions
from madoguchi.counter.models import Visit
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


def _counter_names(visit: Visit) -> Iterator[tuple[str, Any]]:
    """The interview's inputs and the value each takes: a question asked once for several forms
    takes the answer of the first form asking it."""
    for question in build_questions(sources(visit)):
        slug, key = question.targets[0]
        for raw, value in ANSWERS[slug].items():
            if raw == key or raw.startswith(f"{key}-"):
                yield question.name + raw[len(key):], value


@pytest.fixture
def zoomed_screen(new_page: Any) -> Any:
    """The resident's screen at 200 % zoom: a 1280×800 window lays out 640×400 CSS pixels."""
    return new_page(width=640, height=400)


def test_a_household_of_three_moves_in(new_page, zoomed_screen, assert_accessible) -> None:
    counter = Keys()
    clerk = new_page()
    sign_in(clerk, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    clerk.goto("/staff/counter/")
    assert_accessible(clerk, "counter start")
    counter.at("start")
    counter.submit(clerk, "main button[accesskey=n]")
    assert_accessible(clerk, "identify")
    counter.at("identify")
    counter.press()
    clerk.get_by_role("link", name="新しい住民（市外からの転入）：情報を一度だけ入力する").click()
    expect(clerk.locator("h1")).to_have_text("新しい住民")
    counter.at("new-resident")
    for name, value in {
        **_name("applicant_name", P["family"], P["given"], P["family_kana"], P["given_kana"]),
        "applicant_birth_date": P["birth"], "applicant_sex": P["sex"],
        **{f"applicant_address-{k}": P[k]
           for k in ("postal_code", "prefecture", "city", "town", "street")},
        "applicant_phone": P["phone"],
    }.items():
        assert counter.put(clerk, name, value), name
    assert_accessible(clerk, "new resident")
    counter.submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("できごと")
    assert_accessible(clerk, "life events")
    counter.at("plan")
    for name, value in {"event": "move_in", "move_in-date": MOVED_ON, "move_in-children": "1",
                        "move_in-school_children": "yes", "move_in-kokuho": "yes"}.items():
        if name == "event":
            clerk.locator('input[name="event"][value="move_in"]').check()
            counter.press()
        else:
            assert counter.put(clerk, name, value), name
    # The spouse and the child, typed once: they fill every form's questions about them.
    for row, (member, birth, sex, relationship) in enumerate(
            [(SPOUSE, SPOUSE_BIRTH, "female", "spouse"), (CHILD, CHILD_BIRTH, "male", "child")]):
        counter.press()
        clerk.locator("#f-household-add").click()
        expect(clerk.locator(f'[name="household-{row}-name-family"]')).to_be_focused()
        for name, value in {**_name(f"household-{row}-name", *member),
                            f"household-{row}-birth_date": birth, f"household-{row}-sex": sex,
                            f"household-{row}-relationship": relationship}.items():
            assert counter.put(clerk, name, value), name
    assert_accessible(clerk, "life events with the household")
    counter.submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("必要な手続き")
    assert_accessible(clerk, "procedures")
    counter.at("procedures")
    for slug in FORMS:  # every move-in form can be filed here now, and is chosen
        expect(clerk.locator(f'input[name="form"][value="{slug}"]')).to_be_checked()
    counter.submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("聞き取り")
    # What the clerk typed for the new resident is there already, for all five forms.
    expect(clerk.locator('[name="c_applicant_name-family"]')).to_have_value(P["family"])
    assert_accessible(clerk, "interview")
    counter.at("interview")
    visit = Visit.objects.get()
    for name, value in _counter_names(visit):
        assert counter.put(clerk, name, value), name
    counter.submit(clerk, "main form.counter-form > button[accesskey=n]")
    expect(clerk.locator("h1")).to_contain_text("窓口対応")
    assert_accessible(clerk, "visit")
    counter.at("screen")

    # The screen facing the resident, at 200 % zoom: axe-clean, no sideways scrolling.
    screen = zoomed_screen
    screen.goto(clerk.locator("main a[target=counter-screen]").get_attribute("href"))
    expect(screen.locator("h1")).to_have_text("申請の内容をご確認ください")
    for title in ("転入届", "国民健康保険 加入届", "児童手当 認定請求"):
        expect(screen.locator("main")).to_contain_text(title)
    assert_accessible(screen, "resident screen at 200 %")
    assert scroll_width(screen) <= 640
    counter.submit(screen, "main button.button--large")  # the resident's one tap
    expect(screen.locator(".counter-screen__done")).to_be_visible()

    counter.at("visit")
    counter.press()
    clerk.reload()
    counter.submit(clerk, "main button[accesskey=s]")
    expect(clerk.locator("h1")).to_contain_text("本日の手続き")
    made = list(Application.objects.filter(channel=Channel.COUNTER).select_related(
        "procedure", "department"))
    assert sorted(a.procedure.slug for a in made) == sorted(FORMS)
    assert len({a.department.code for a in made}) >= 3
    for application in made:
        expect(clerk.locator("main")).to_contain_text(application.receipt_number)
    assert_accessible(clerk, "summary")
    counter.at("summary")
    # The sheet prints: only the sheet (steps and shortcuts hidden), as a PDF from the browser.
    clerk.emulate_media(media="print")
    expect(clerk.locator(".counter-sheet")).to_be_visible()
    expect(clerk.locator(".counter-steps")).to_be_hidden()
    assert clerk.pdf(format="A4")[:4] == b"%PDF"
    clerk.emulate_media(media="screen")
    counter.press()
    clerk.get_by_role("link", name="窓口対応に戻る").click()
    counter.submit(clerk, "main button:text-is('対応を終了する')")
    visit.refresh_from_db()
    assert visit.state == Visit.State.ENDED and visit.forms_produced == len(FORMS)
    assert visit.minutes is not None and visit.fields_typed > 0 and visit.fields_prefilled > 0
    # The page script counted the keys the browser sent as key presses (characters typed
    # through an input method, as the kanji here, reach the page without them).
    assert visit.clerk_keys is not None and 0 < visit.clerk_keys <= counter.count

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

    print(f"visit: {visit.minutes} min, forms {visit.forms_produced}, prefilled "
          f"{visit.fields_prefilled}, typed {visit.fields_typed}, page keys {visit.clerk_keys}")
    counter.breakdown("counter keys")
    separate.breakdown("separate keys")
    print(f"counter keys: {counter.count}")
    print(f"separate keys: {separate.count}")
    print(f"keys ratio: {counter.count}/{separate.count} = {counter.count / separate.count:.2f}")
