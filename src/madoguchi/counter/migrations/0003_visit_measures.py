# The measured effect of a visit: forms produced, fields prefilled vs typed, the clerk's keys
# and the minutes from ticket (or start) to end.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('counter', '0002_preapplication'),
    ]

    operations = [
        migrations.AddField(
            model_name='visit',
            name='forms_produced',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='visit',
            name='fields_prefilled',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='visit',
            name='fields_typed',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='visit',
            name='clerk_keys',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='visit',
            name='minutes',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=6, null=True),
        ),
    ]
