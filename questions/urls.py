from django.urls import path

from . import source_views, views

app_name = "questions"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("about/sources/", source_views.sources, name="sources"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("bookmarks/<int:pk>/delete/", views.bookmark_delete, name="bookmark_delete"),
    path("questions/<int:pk>/bookmark/", views.bookmark_toggle, name="bookmark_toggle"),
    path("questions/<int:pk>/note/", views.note, name="note"),
    path("sets/<slug:set_slug>/", views.set_detail, name="set_detail"),
    path("sets/<slug:set_slug>/all-cards/<int:number>/", views.flashcard, name="set_flashcard"),
    path("sets/<slug:set_slug>/<slug:slug>/", views.category_detail, name="category_detail"),
    path("sets/<slug:set_slug>/<slug:category_slug>/cards/<int:number>/", views.flashcard, name="flashcard"),
    path("sets/<slug:set_slug>/<slug:category_slug>/<slug:slug>/", views.question_detail, name="question_detail"),
]
