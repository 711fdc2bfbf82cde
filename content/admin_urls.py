from django.urls import path

app_name = "content_admin"
urlpatterns: list = []
