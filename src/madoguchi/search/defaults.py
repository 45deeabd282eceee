"""Synonym groups a Japanese city needs from the start; staff edit them afterwards."""

DEFAULT_SYNONYMS: list[tuple[list[str], str]] = [
    (["子ども", "こども", "子供"], "Children"),
    (["住民票", "住民票の写し", "住民票写し"], "Certificate of residence"),
    (["引っ越し", "引越し", "引越", "ひっこし"], "Moving"),
    (["印鑑", "はんこ", "判子", "実印"], "Seal"),
    (["マイナンバー", "個人番号"], "My Number"),
    (["国民健康保険", "国保"], "National Health Insurance"),
    (["保育所", "保育園"], "Daycare"),
    (["がん", "癌", "ガン"], "Cancer"),
    (["障害", "障がい", "障碍"], "Disability"),
    (["赤ちゃん", "赤ん坊", "乳児", "新生児"], "Baby"),
]
