from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_corporation_contact_details'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='event_type',
            field=models.PositiveSmallIntegerField(choices=[(101, 'Households written'), (102, 'Tenancies written'), (103, 'Vulnerability markers written'), (104, 'Vulnerability markers read'), (105, 'Applicants written'), (106, 'Household income read'), (110, 'Personal data exported'), (201, 'Listing written'), (202, 'Bids written'), (203, 'Applicant allocation profile written'), (204, 'Allocation round written'), (205, 'Allocation round solved'), (206, 'Allocation round approved, offers made'), (207, 'Offer accepted, tenancy created'), (208, 'Offer declined or withdrawn'), (209, 'Allocation round closed'), (210, 'Bids with personal data read'), (211, 'Allocation letter read'), (301, 'Housing cooperative written'), (302, 'Cooperative contacts written'), (303, 'Cooperative document written'), (304, 'Cooperative agreement written'), (305, 'Cooperative activity log written'), (306, 'Cooperative yearly account written'), (307, 'Cooperative commitment reviewed'), (308, 'Cooperative escalation step recorded'), (309, 'Co-optation of a letting recorded'), (310, 'Cooperative board member linked or unlinked'), (401, 'Social management records written'), (402, 'Support needs written'), (403, 'Support needs read'), (404, 'Social management records imported'), (405, 'Rent arrears written'), (406, 'Monitor settings changed'), (501, 'Complex profile decided'), (502, 'Mix categories changed'), (503, 'Labelling plan made'), (504, 'Vacancy label accepted'), (505, 'Vacancy label changed'), (506, 'Carrying role of a tenant written'), (901, 'Portfolio imported'), (902, 'Open data imported'), (903, 'Demo data generated'), (904, 'Membership changed'), (905, 'Legal parameters changed'), (906, 'Corporation contact details changed')], db_index=True, verbose_name='what'),
        ),
    ]
