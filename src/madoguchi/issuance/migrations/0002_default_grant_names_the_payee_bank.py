"""Grant notices name the payee's bank and branch (payee_account) instead of printing the
answers typed into a form's bank and branch fields, which could be codes (0001 001).

Only the line of the earlier default is replaced, so a template a department rewrote keeps its
wording.
"""

from django.db import migrations

# The lines as they were and are (a copy: a migration never imports code that may change).
REPLACED_LINES = {
    "６　振込先　申請書に記載の口座（{{ answers.bank_name }}　{{ answers.branch_name }}）":
        "６　振込先　申請書に記載の口座（{{ payee_account }}）",
}


def forwards(apps, schema_editor):
    DocumentTemplate = apps.get_model("issuance", "DocumentTemplate")
    for template in DocumentTemplate.objects.filter(kind="grant"):
        body = template.body
        for old, new in REPLACED_LINES.items():
            body = body.replace(old, new)
        if body != template.body:
            DocumentTemplate.objects.filter(pk=template.pk).update(body=body)


class Migration(migrations.Migration):

    dependencies = [
        ("issuance", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
