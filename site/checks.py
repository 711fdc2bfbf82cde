"""Deployment checks of the project's own settings."""

from django.conf import settings
from django.core import checks
from django.core.checks import Tags, register


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    if settings.DEBUG or getattr(settings, "REDIS_URL", ""):
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set: the cache, and with it allauth's login rate limits, lives in each "
            "worker's memory, so every worker and every machine counts separately.",
            hint="Set REDIS_URL=redis://host:6379/0 so every worker shares one cache.",
            id="prepsite.W001",
        )
    ]
