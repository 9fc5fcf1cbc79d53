import secrets

from django.db import migrations


def fill(apps, schema_editor):
    Listing = apps.get_model("allocation", "Listing")
    listings = list(Listing.objects.filter(public_token__isnull=True).only("pk"))
    for listing in listings:
        listing.public_token = secrets.token_urlsafe(16)
    Listing.objects.bulk_update(listings, ["public_token"], batch_size=1000)


class Migration(migrations.Migration):
    """The public account's link key, step 2 of 3: a random key for every existing listing."""

    dependencies = [("allocation", "0002_listing_public_token_add")]

    # Going back, step 1's reverse drops the column: nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
