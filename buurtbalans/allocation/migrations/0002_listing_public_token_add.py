from django.db import migrations, models


class Migration(migrations.Migration):
    """The public account's link key, step 1 of 3: the column, empty for existing listings."""

    dependencies = [("allocation", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="public_token",
            field=models.CharField(editable=False, max_length=32, null=True, verbose_name="public link key"),
        ),
    ]
