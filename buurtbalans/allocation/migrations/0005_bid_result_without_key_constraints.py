import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Outcome rows without foreign-key constraints and single-column indexes in the database (issue 10).

    A run writes 60,000 of them for a weekly round; PostgreSQL checked every key of every row at commit and kept
    nine indexes up to date, more than half of the time to work a round out. The three indexes by run stay (every
    reader asks by run), and so does the one-row-per-bid-and-run constraint; Django still deletes the outcomes
    with their run, bid, listing or applicant.
    """

    dependencies = [("allocation", "0004_listing_public_token_required")]

    operations = [
        migrations.AlterField(
            model_name="bidresult",
            name="applicant",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="households.applicant"),
        ),
        migrations.AlterField(
            model_name="bidresult",
            name="bid",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="results", to="allocation.bid"),
        ),
        migrations.AlterField(
            model_name="bidresult",
            name="corporation",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="core.housingcorporation"),
        ),
        migrations.AlterField(
            model_name="bidresult",
            name="listing",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="allocation.listing"),
        ),
        migrations.AlterField(
            model_name="bidresult",
            name="run",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="bid_results", to="allocation.allocationrun"),
        ),
    ]
