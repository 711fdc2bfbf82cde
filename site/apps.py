from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate


class PrepsiteConfig(AppConfig):
    name = "prepsite"
    label = "prepsite"
    verbose_name = "Site"

    def ready(self):
        post_migrate.connect(name_the_site, dispatch_uid="prepsite.name_the_site")
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from .auth import forget_user

        post_save.connect(forget_user, sender=get_user_model(), dispatch_uid="prepsite.forget_user_saved")
        post_delete.connect(forget_user, sender=get_user_model(), dispatch_uid="prepsite.forget_user_deleted")
        from django.test.signals import setting_changed

        from .pagecache import forget_local_copies

        setting_changed.connect(forget_local_copies, dispatch_uid="prepsite.forget_local_copies")
        from . import checks  # noqa: F401  (registers the system checks)
        from .jobs import start_worker_inside_runserver

        start_worker_inside_runserver()


def name_the_site(sender=None, using="default", **kwargs):
    """Give django.contrib.sites the name and domain from the environment, not "example.com".

    Account emails (allauth) take the site's name and domain from this row.
    """
    Site = apps.get_model("sites", "Site")  # apps.py loads before any models module can be imported
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()
