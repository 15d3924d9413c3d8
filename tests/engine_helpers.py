"""Shared set-up for engine tests: providers with staff for every role, and a driver."""

from django.contrib.auth import get_user_model

from qyzmet.providers.models import Provider, StaffRole


def staff_for(provider: Provider, role: str):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=f"{provider.pk}.{role}")
    StaffRole.objects.get_or_create(user=user, provider=provider, role=role)
    return user
