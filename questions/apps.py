from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save


class QuestionsConfig(AppConfig):
    name = "questions"

    def ready(self):
        from .caching import forget_content_version, forget_whole_responses

        setting_changed.connect(forget_whole_responses, dispatch_uid="forget-whole-responses")

        # The importer saves the set on every import; admin edits save questions and key points.
        for model_name in ("QuestionSet", "Category", "Question", "KeyPoints"):
            model = self.get_model(model_name)
            post_save.connect(forget_content_version, sender=model, dispatch_uid=f"forget-version-{model_name}")
            post_delete.connect(forget_content_version, sender=model, dispatch_uid=f"forget-version-del-{model_name}")
