"""The rich menu under the city's LINE chat: 手続きナビ, 申請状況, 予約, 問い合わせ (postbacks)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from linebot.v3.messaging import MessagingApi, RichMenuRequest
from PIL import Image, ImageDraw, ImageFont

from madoguchi.channels import line

WIDTH, HEIGHT = 2500, 843
FONT_FILES = ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
              "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf")
# (postback data, Japanese label, English label, background colour)
AREAS: list[tuple[str, str, str, str]] = [
    ("menu=navi", "手続きナビ", "Procedure guide", "#0031D8"),
    ("menu=status", "申請状況", "My applications", "#00118F"),
    ("menu=booking", "予約", "Reservations", "#00118F"),
    ("menu=inquiry", "問い合わせ", "Ask us", "#0031D8"),
]


def _bounds(index: int) -> dict[str, int]:
    half_w, half_h = WIDTH // 2, HEIGHT // 2
    column, row = index % 2, index // 2
    return {"x": column * half_w, "y": row * half_h,
            "width": half_w if column == 0 else WIDTH - half_w,
            "height": half_h if row == 0 else HEIGHT - half_h}


def rich_menu_request() -> dict[str, Any]:
    """The rich menu object: a 2 × 2 grid, each area a postback with its label shown."""
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": "madoguchi-main",
        "chatBarText": "メニュー",
        "areas": [
            {"bounds": _bounds(i),
             "action": {"type": "postback", "data": data, "label": label, "displayText": label}}
            for i, (data, label, _en, _colour) in enumerate(AREAS)
        ],
    }


def rich_menu_image() -> bytes:
    """A PNG of the menu: white Japanese labels (IPAex Gothic) on the city's blues."""
    font_path = next((p for p in FONT_FILES if Path(p).exists()), None)
    if font_path is None:
        raise RuntimeError("install the Debian package fonts-ipaexfont for the rich menu")
    big = ImageFont.truetype(font_path, 120)
    small = ImageFont.truetype(font_path, 60)
    image = Image.new("RGB", (WIDTH, HEIGHT), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    for i, (_data, label, english, colour) in enumerate(AREAS):
        b = _bounds(i)
        box = (b["x"] + 6, b["y"] + 6, b["x"] + b["width"] - 6, b["y"] + b["height"] - 6)
        draw.rectangle(box, fill=colour)
        centre_x = b["x"] + b["width"] // 2
        centre_y = b["y"] + b["height"] // 2
        draw.text((centre_x, centre_y - 30), label, font=big, fill="#FFFFFF", anchor="mm")
        draw.text((centre_x, centre_y + 85), english, font=small, fill="#FFFFFF", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def install_rich_menu() -> str:
    """Create the menu, upload its image and make it everyone's default; returns its id."""
    request = RichMenuRequest.from_dict(rich_menu_request())
    image = rich_menu_image()
    with line.api_client() as client:
        api = MessagingApi(client)
        menu_id = line.call(api.create_rich_menu, request).rich_menu_id
        # The SDK's blob API is pinned to api-data.line.me; call it through the same client
        # with the configured data host so that a local fake can stand in.
        line.call(client.call_api, f"/v2/bot/richmenu/{menu_id}/content", "POST",
                   header_params={"Content-Type": "image/png"}, body=image,
                   auth_settings=["Bearer"], response_types_map={},
                   _host=settings.LINE_API_DATA_BASE)
        line.call(api.set_default_rich_menu, menu_id)
    return menu_id
