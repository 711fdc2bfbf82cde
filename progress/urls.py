from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("progress/", views.dashboard, name="dashboard"),
]
