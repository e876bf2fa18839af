from django.db import migrations, models


class Migration(migrations.Migration):
    """Attempts and refunds name their provider's objects neutrally; every attempt made so far
    went through Stripe."""

    dependencies = [
        ("payments", "0002_payment_attempt_consent"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentattempt",
            name="provider",
            field=models.CharField(
                choices=[("yookassa", "YooKassa"), ("stripe", "Stripe")],
                default="stripe",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RenameField(
            model_name="paymentattempt",
            old_name="payment_intent_id",
            new_name="provider_payment_id",
        ),
        migrations.RenameField(
            model_name="refund",
            old_name="stripe_refund_id",
            new_name="provider_refund_id",
        ),
    ]
