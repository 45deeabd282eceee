"""The accessibility check itself must catch problems, with JavaScript on and off."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>壊れたページ</title>
</head><body><main><h1>見出し</h1><img src="/static/none.png">
<p style="color:#ccc;background:#fff">読みにくい文字</p></main></body></html>"""


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_assert_accessible_reports_serious_violations(new_page, assert_accessible, js) -> None:
    page = new_page(js=js)
    page.route(
        "**/axe-self-test/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=BROKEN),
    )
    page.goto("/axe-self-test/")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt [critical]" in message
    assert "color-contrast [serious]" in message
