from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("", views.start, name="start"),
    path("history/", views.history, name="history"),
]
