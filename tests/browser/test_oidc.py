"""Sign-in with the card-based identity provider (the local OpenID provider of the tests) and a
form whose identity fields come verified and locked."""

from __future__ import annotations

import pytest
from browser_support import scroll_width, submit
from playwright.sync_api import expect

from madoguchi.conftest import local_idp, local_idp_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
SLUG = "card-browser"


def publish_card_form() -> None:
    from madoguchi.applications.tests.test_verified_identity import PAGES
    from madoguchi.catalog.models import Procedure
    from madoguchi.forms.models import FormDefinition
    from madoguchi.forms.services import publish

    procedure = Procedure.objects.get(slug="hoikusho")
    title = {"ja": "カードで申請する試験", "en": "Test of a card-based form"}
    form = FormDefinition.objects.create(slug=SLUG, procedure=procedure, title=title,
                                         department=procedure.department)
    publish(form, {"title": title, "pages": PAGES, "applicant_field": "name",
                   "assurance": "high"})


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_card_sign_in_and_a_form_with_verified_locked_fields(
        new_page, assert_accessible, local_idp, js) -> None:  # noqa: F811
    from madoguchi.applications.models import Application

    publish_card_form()
    page = new_page(js=js)
    page.goto("/account/login/")
    button = page.get_by_role("link", name="マイナンバーカードでサインイン")
    expect(button).to_be_visible()
    assert_accessible(page, "sign-in with providers")
    with page.expect_navigation(url="**/my/"):
        button.click()
    expect(page.locator("h1")).to_have_text("マイページ")
    expect(page.locator("#identity-links-title")).to_be_visible()
    assert_accessible(page, "my page with identity links")

    page.goto(f"/apply/{SLUG}/")
    expect(page.locator("h1")).to_have_text("申請者")
    verified = page.locator(".field--verified")
    expect(verified).to_have_count(4)
    expect(verified.first).to_contain_text("山田　太郎")
    expect(verified.first).to_contain_text("本人確認済")
    assert page.locator('input[name="name-family"]').count() == 0
    assert_accessible(page, "form page with verified fields")
    page.locator('input[name="note"]').fill("郵送で請求します")
    submit(page)
    expect(page.locator("main")).to_contain_text("霞が関1-1-1")
    submit(page)
    application = Application.objects.get(form_version__form__slug=SLUG)
    assert application.identity_verification["provider"] == "card"
    assert application.answers["name"] == {"family": "山田", "given": "太郎"}


def test_the_pages_fit_a_small_screen(new_page, local_idp) -> None:  # noqa: F811
    publish_card_form()
    page = new_page(width=320, height=640)
    page.goto("/account/login/")
    assert scroll_width(page) <= 320
    with page.expect_navigation(url="**/my/"):
        page.get_by_role("link", name="マイナンバーカードでサインイン").click()
    assert scroll_width(page) <= 320
    page.goto(f"/apply/{SLUG}/you/")
    expect(page.locator(".field--verified")).to_have_count(4)
    assert scroll_width(page) <= 320


def test_the_provider_down_shows_a_clear_page(new_page, assert_accessible, local_idp) -> None:  # noqa: F811
    from madoguchi.identity.contrib.oidc.provider import configure

    configure([local_idp.config(issuer="http://127.0.0.1:9")])
    page = new_page()
    response = page.goto("/account/idp/card/start/")
    assert response.status == 503
    expect(page.locator("h1")).to_have_text("認証サービスに接続できません")
    assert_accessible(page, "identity provider down")
    page.get_by_role("link", name="ログインに戻る").click()
    expect(page.locator("#id_email")).to_be_visible()
