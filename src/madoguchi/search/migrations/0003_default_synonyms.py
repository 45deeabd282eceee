"""Synonym groups a Japanese city needs from the start; staff edit them afterwards."""

from django.db import migrations

from madoguchi.search.folding import fold

GROUPS = [
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


def add(apps, schema_editor) -> None:  # noqa: ANN001
    group_model = apps.get_model("search", "SynonymGroup")
    term_model = apps.get_model("search", "SynonymTerm")
    for terms, note in GROUPS:
        group = group_model.objects.create(terms=terms, note=note)
        term_model.objects.bulk_create(
            [term_model(group=group, term=f) for f in dict.fromkeys(fold(t) for t in terms)]
        )


def remove(apps, schema_editor) -> None:  # noqa: ANN001
    apps.get_model("search", "SynonymGroup").objects.filter(
        note__in=[note for _terms, note in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_backend_indexes")]

    operations = [migrations.RunPython(add, remove)]
