"""The page a visitor gets past an abuse limit: Japanese, accessible, at 320 px, no script."""

from __future__ import annotations

import pytest
from browser_support import scroll_width

pytestmark = pytest.mark.browser


def test_too_many_chat_questions_gives_a_clear_page(new_page, assert_accessible, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": "1/0/60"}
    page = new_page(js=False, width=320, height=640)
    assert page.goto("/chat/?q=ごみ").status == 200
    response = page.goto("/chat/?q=ごみ")
    assert response.status == 429
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert page.locator("h1").inner_text() == "しばらくお待ちください"
    assert "短い間に多くの質問が送られました" in page.locator("main").inner_text()
    assert scroll_width(page) <= 320
    assert_accessible(page)
