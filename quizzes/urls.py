from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("", views.start, name="start"),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.play, name="play"),
    path("<int:pk>/show/", views.show, name="show"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/mark/", views.mark, name="mark"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("<int:pk>/clock/", views.clock, name="clock"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
