"""An index on dwellings by corporation and status: the corporation overview counts them by status on every visit
(issue 12 item 7, the overview at load)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dwelling",
            index=models.Index(fields=["corporation", "status"], name="dwelling_corporation_status"),
        ),
    ]
