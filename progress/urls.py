from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/questions/<int:pk>/rate/", views.rate, name="rate"),
    path("review/questions/<int:pk>/bury/", views.bury, name="bury"),
    path("review/questions/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("review/cards/<int:pk>/unsuspend/", views.unsuspend, name="unsuspend"),
    path("review/undo/", views.undo, name="undo"),
    path("flashcards/questions/<int:pk>/rate/", views.flashcard_rate, name="flashcard_rate"),
    path("review/suspended/", views.suspended, name="suspended"),
    path("review/settings/", views.review_settings, name="settings"),
    path("review/settings/fit/", views.fit_start, name="fit_start"),
    path("review/settings/fit/<uuid:pk>/", views.fit_status, name="fit_status"),
    path("review/settings/fit/revert/", views.fit_revert, name="fit_revert"),
    path("progress/", views.dashboard, name="dashboard"),
    path("progress/interviews/", views.interviews, name="interviews"),
    path("progress/interviews/<int:pk>/", views.interview_edit, name="interview_edit"),
    path("progress/interviews/<int:pk>/delete/", views.interview_delete, name="interview_delete"),
    path("progress/interviews/<int:pk>/plan/", views.interview_plan, name="interview_plan"),
    path("progress/interviews/<int:pk>/plan/apply/", views.interview_apply_plan, name="interview_apply_plan"),
    path("progress/interviews/<int:pk>/plan/end/", views.interview_end_plan, name="interview_end_plan"),
    path("progress/interviews/<int:pk>/outcome/", views.interview_outcome, name="interview_outcome"),
]
