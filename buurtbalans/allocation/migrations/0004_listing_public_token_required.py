from django.db import migrations, models

import buurtbalans.allocation.models


class Migration(migrations.Migration):
    """The public account's link key, step 3 of 3: required, unique, and made for every new listing."""

    dependencies = [("allocation", "0003_listing_public_token_fill")]

    operations = [
        migrations.AlterField(
            model_name="listing",
            name="public_token",
            field=models.CharField(default=buurtbalans.allocation.models.new_public_token, editable=False,
                                   max_length=32, unique=True, verbose_name="public link key"),
        ),
    ]
