from django.contrib import admin
from django.urls import include, path

from . import views

handler500 = "prepsite.views.server_error"

# The pages candidates use most come first: each URL tries the patterns above it before its own.
urlpatterns = [
    path("", include("questions.urls")),
    path("", include("progress.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("drill/", include("quizzes.drill_urls")),
    path("", include("questions.export_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/content/", include("questions.admin_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]
