from django.urls import include, path

from . import views

app_name = "progress"
# Grouped by prefix, so that resolving any other page tests three patterns here, not twenty.
urlpatterns = [
    path("review/", include([
        path("", views.review, name="review"),
        path("questions/<int:pk>/rate/", views.rate, name="rate"),
        path("questions/<int:pk>/bury/", views.bury, name="bury"),
        path("questions/<int:pk>/suspend/", views.suspend, name="suspend"),
        path("cards/<int:pk>/unsuspend/", views.unsuspend, name="unsuspend"),
        path("undo/", views.undo, name="undo"),
        path("suspended/", views.suspended, name="suspended"),
        path("settings/", views.review_settings, name="settings"),
        path("settings/fit/", views.fit_start, name="fit_start"),
        path("settings/fit/<uuid:pk>/", views.fit_status, name="fit_status"),
        path("settings/fit/revert/", views.fit_revert, name="fit_revert"),
    ])),
    path("flashcards/questions/<int:pk>/rate/", views.flashcard_rate, name="flashcard_rate"),
    path("progress/", include([
        path("", views.dashboard, name="dashboard"),
        path("interviews/", views.interviews, name="interviews"),
        path("interviews/<int:pk>/", views.interview_edit, name="interview_edit"),
        path("interviews/<int:pk>/delete/", views.interview_delete, name="interview_delete"),
        path("interviews/<int:pk>/plan/", views.interview_plan, name="interview_plan"),
        path("interviews/<int:pk>/plan/apply/", views.interview_apply_plan, name="interview_apply_plan"),
        path("interviews/<int:pk>/plan/end/", views.interview_end_plan, name="interview_end_plan"),
        path("interviews/<int:pk>/outcome/", views.interview_outcome, name="interview_outcome"),
    ])),
]
