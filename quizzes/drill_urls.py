from django.urls import path

from . import drill_views

app_name = "drill"
urlpatterns = [
    path("new/", drill_views.start, name="start"),
    path("<int:pk>/", drill_views.step, name="step"),
    path("<int:pk>/steps/<int:number>/", drill_views.save, name="save"),
    path("<int:pk>/summary/", drill_views.summary, name="summary"),
]
