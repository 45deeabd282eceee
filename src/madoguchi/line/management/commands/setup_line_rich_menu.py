"""Create the LINE rich menu (手続きナビ, 申請状況, 予約, 問い合わせ) and make it the default."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from madoguchi.channels import line
from madoguchi.line.richmenu import install_rich_menu, rich_menu_image


class Command(BaseCommand):
    help = "Create the LINE rich menu with its image and set it as the default for all users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--image-only", metavar="PATH",
                            help="only write the menu image (PNG) to PATH, without LINE")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["image_only"]:
            with open(options["image_only"], "wb") as out:
                out.write(rich_menu_image())
            self.stdout.write(f"wrote {options['image_only']}")
            return
        if not line.enabled():
            raise CommandError("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first")
        try:
            menu_id = install_rich_menu()
        except line.LineError as exc:
            raise CommandError(f"LINE refused the rich menu: {exc}") from exc
        self.stdout.write(f"rich menu {menu_id} is now the default")
