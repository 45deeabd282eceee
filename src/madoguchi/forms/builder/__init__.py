"""The form builder (staff): edits of a definition (:mod:`.edits`, re-exported here), the
edit-field page (:mod:`.settings`), conditions (:mod:`.conditions`), date limits in words
(:mod:`.dates`), the palette (:mod:`.palette`), the editor's review (:mod:`.review`), the views
and their URLs."""

from .edits import (
    MAX_FIELDS,
    MAX_PAGES,
    EditRefused,
    add_field,
    add_page,
    all_field_keys,
    entry_type,
    find_field,
    move_field,
    move_page,
    new_definition,
    remove_field,
    remove_page,
    reorder,
    set_condition,
    set_settings,
    starting_spec,
    typed_texts,
    unique_key,
    update_field,
    update_page,
)
from .palette import PALETTE, palette_labels, type_label

__all__ = [
    "MAX_FIELDS", "MAX_PAGES", "PALETTE", "EditRefused", "add_field", "add_page",
    "all_field_keys", "entry_type", "find_field", "move_field", "move_page", "new_definition",
    "palette_labels", "remove_field", "remove_page", "reorder", "set_condition", "set_settings",
    "starting_spec", "type_label", "typed_texts", "unique_key", "update_field", "update_page",
]
