"""Move the recovery codes that django-otp's static devices kept in plain text into hashed ones, then delete them.

Users keep the codes they printed: each unused code is hashed into the user's `RecoveryCodeDevice`. Only confirmed
static devices held codes the login accepted; unconfirmed ones are deleted without moving anything. A session that
was verified with a static device asks for a code again. Going back is not possible (a hash gives no code back):
reversing moves nothing, and users make new codes after logging in with their app.

otp_static stays in INSTALLED_APPS for this migration's sake only (its tables stay, empty); no code uses it.
"""

from django.db import migrations

from buurtbalans.accounts.recovery import code_hash

# The name services._new_recovery_codes gives the device, copied so this migration does not follow later changes.
RECOVERY_DEVICE_NAME = "recovery codes"


def static_tokens_hash(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    RecoveryCodeDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    tokens = StaticToken.objects.filter(device__confirmed=True).select_related("device").order_by("device__user_id")
    devices = {}
    hashed = []
    for token in tokens.iterator():
        user_id = token.device.user_id
        if user_id not in devices:
            devices[user_id], _ = RecoveryCodeDevice.objects.get_or_create(
                user_id=user_id, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
            )
        hashed.append(RecoveryCode(device=devices[user_id], code_hash=code_hash(token.token)))
    RecoveryCode.objects.bulk_create(hashed, batch_size=1000)
    StaticToken.objects.all().delete()
    StaticDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_recovery_codes_hashed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(static_tokens_hash, migrations.RunPython.noop)]
