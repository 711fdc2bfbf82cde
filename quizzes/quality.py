"""Measures of generated quizzes (giveaways, distractor kinds, repeats), shared by the tests and bench/quiz_quality.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .kinds import KINDS


def corpora_dir() -> Path:
    """The real documents the repository ships for its tests (content/tests/corpora/)."""
    return Path(settings.BASE_DIR) / "content" / "tests" / "corpora"


@dataclass
class Report:
    items: int = 0
    leaks: list[dict] = field(default_factory=list)
    distractors: int = 0
    same_kind: int = 0
    cloze_distractors: int = 0
    cloze_same_role: int = 0
    repeats: int = 0  # items of one quiz that reuse a question's example or repeat an item

    def add_quiz(self, items: list[dict]) -> None:
        self.items += len(items)
        examples = [i["example_id"] for i in items if "example_id" in i]
        self.repeats += len(examples) - len(set(examples))
        asked = [(i["kind"], i["question_id"], i.get("answer_text") or i["prompt"]) for i in items]
        self.repeats += len(asked) - len(set(asked))
        for item in items:
            if KINDS[item["kind"]].leaks(item):
                self.leaks.append(item)
            wrong = len(item.get("choices") or []) - len(item.get("key") or [])
            if item["kind"] == "authored" or wrong <= 0:
                continue  # human-written, or no choices
            self.distractors += wrong
            # Titles are distractors for titles and points for points; a cloze counts its names of the same role.
            self.same_kind += item["same_role"] if item["kind"] == "cloze" else wrong
            if item["kind"] == "cloze":
                self.cloze_distractors += wrong
                self.cloze_same_role += item["same_role"]

    @property
    def leak_share(self) -> float:
        return len(self.leaks) / self.items if self.items else 0.0

    @property
    def cloze_same_role_share(self) -> float:
        return self.cloze_same_role / self.cloze_distractors if self.cloze_distractors else 0.0

    @property
    def same_kind_share(self) -> float:
        return self.same_kind / self.distractors if self.distractors else 0.0
