from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"

    def ready(self):
        from progress.caching import register_version_part

        from .caching import attempts_version

        # The dashboard lists recent results; progress must not read quizzes' tables.
        register_version_part("quizzes", attempts_version)
