"""The default kind `status_holder` does not count for the concentration measures, with the reason (issue 13)."""

from django.db import migrations

STATUS_HOLDER_REASON = (
    "Statushouders zijn geen kwetsbare groep; tellen zou onderscheid naar afkomst maken (CRM 2022-145)."
)
COUNTING_REASON = "Een kwetsbare groep: telt mee voor de spreiding over complexen."


def forward(apps, schema_editor):
    kind_model = apps.get_model("households", "VulnerabilityKind")
    kind_model.objects.filter(corporation=None, code="status_holder").update(
        counts_for_concentration=False, concentration_reason=STATUS_HOLDER_REASON)
    kind_model.objects.filter(corporation=None).exclude(code="status_holder").filter(
        concentration_reason="").update(concentration_reason=COUNTING_REASON)


def reverse(apps, schema_editor):
    kind_model = apps.get_model("households", "VulnerabilityKind")
    kind_model.objects.filter(corporation=None).update(counts_for_concentration=True, concentration_reason="")


class Migration(migrations.Migration):
    dependencies = [("households", "0006_vulnerability_kind_counts_for_concentration")]
    operations = [migrations.RunPython(forward, reverse)]
