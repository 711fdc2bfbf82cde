from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/content/", include("questions.admin_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("", include("progress.urls")),
    path("", include("questions.export_urls")),
    path("", include("questions.urls")),
]
