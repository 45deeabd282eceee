"""Residents confirm their e-mail address before their first application.

Everyone who had an account before this change is treated as confirmed, so nobody is locked
out by the upgrade (a resident account without its profile row gets one, confirmed).
"""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def confirm_existing_residents(apps, schema_editor) -> None:  # noqa: ANN001
    Resident = apps.get_model("residents", "Resident")
    User = apps.get_model("core", "User")
    Resident.objects.filter(email_confirmed_at__isnull=True).update(
        email_confirmed_at=F("created_at"))
    now = timezone.now()
    missing = User.objects.filter(kind="resident", resident_profile__isnull=True)
    Resident.objects.bulk_create(
        [Resident(user=user, created_at=user.date_joined, email_confirmed_at=now)
         for user in missing.iterator()], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("residents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(confirm_existing_residents, migrations.RunPython.noop),
    ]
