from django.urls import path

from . import views

app_name = "questions"
urlpatterns = [
    path("", views.home, name="home"),
    path("sets/<slug:set_slug>/", views.set_detail, name="set_detail"),
    path("sets/<slug:set_slug>/<slug:slug>/", views.category_detail, name="category_detail"),
    path("sets/<slug:set_slug>/<slug:category_slug>/<slug:slug>/", views.question_detail, name="question_detail"),
]
