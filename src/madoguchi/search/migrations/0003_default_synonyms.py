"""Synonym groups a Japanese city needs from the start; staff edit them afterwards."""

from django.db import migrations

from madoguchi.search.defaults import DEFAULT_SYNONYMS
from madoguchi.search.folding import fold

GROUPS = DEFAULT_SYNONYMS


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
