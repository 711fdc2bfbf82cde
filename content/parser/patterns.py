"""Regular expressions shared by the parser's modules (line-level, never across blocks)."""

import re

MAX_TITLE = 500
MAX_LINE = 20_000  # characters; longer lines are refused (minified or generated text)
MAX_DEPTH = 24  # nested lists and block quotes

ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
LIST_ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
NUMBERED_ITEM_RE = re.compile(r"^ {0,3}(?P<number>\d{1,4})[.)][ \t]+(?P<rest>.+)$")
RULE_TAIL_RE = re.compile(r"(?:\n|^)\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
QUESTION_NUMBER_RE = re.compile(
    r"^(?:(?:Q(?:uestion)?|#)\s*)?(?P<number>\d{1,4}[a-z]?)\s*(?:[.):\-–—]|\s(?=\S))\s*(?P<title>.*)$",
    re.I,
)
Q_PREFIX_RE = re.compile(r"^Q(?:uestion)?\s*(?P<number>\d{1,4}[a-z]?)?\s*[.:)\-–—]\s*(?P<title>.*)$", re.I)
BOLD_NUMBERED_RE = re.compile(
    r"^(?:\*\*|__)\s*(?:Q(?:uestion)?\s*)?(?P<number>\d{1,4}[a-z]?)\s*[.):]?\s*(?P<inner>[^*_]*?)\s*(?:\*\*|__)\s*[.:]?\s*(?P<rest>.*)$",
    re.I,
)
ESCAPED_NUMBER_RE = re.compile(r"^(?P<number>\d{1,4})\\[.)][ \t]+(?P<rest>\S.*)$")
ANSWER_LEAD_RE = re.compile(r"^\s*(?:\*\*|__)?\s*(?:A|Ans|Answer)\s*[:.]\s*(?:\*\*|__)?\s*[:.]?\s*", re.I)
DETAILS_OPEN_RE = re.compile(r"^\s*<details\b[^>]*>", re.I)
DETAILS_TAG_RE = re.compile(r"<(/?)details\b", re.I)
DETAILS_CLOSE_RE = re.compile(r"</details\s*>", re.I)
SUMMARY_RE = re.compile(r"<summary\b[^>]*>(?P<text>.*?)</summary\s*>", re.I | re.S)
HTML_H1_RE = re.compile(r"^\s*<h1\b[^>]*>(?P<text>.*?)</h1\s*>", re.I | re.S)
TAG_RE = re.compile(r"<[^>]+>")
TOC_TITLE_RE = re.compile(r"^(table of contents|contents|toc|index|содержание|зміст)\W*$", re.I)
ANCHOR_LINK_LINE_RE = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])?\s*(?:\*\*|__)?\s*\[[^\]]*\]\(#[^)]*\)\s*(?:\*\*|__)?\s*$"
)
# "[⬆ Back to Top](#toc)", "**[↑ Back to top](#x)**", "<a href="#x">↥ back to top</a>", in a line
# of its own, inside <div align="right">, or glued in front of the next heading.
BACK_TO_TOP_RE = re.compile(
    r"(?:\*\*|__)?\s*(?:\[(?:[^\[\]]|\[[^\]]*\])*(?:top|back|contents|⬆|↑|↥)(?:[^\[\]]|\[[^\]]*\])*\]\(#[^)]*\)"
    r"|<a\s[^>]*href=[\"']#[^\"']*[\"'][^>]*>[^<]*(?:top|back|contents|⬆|↑|↥)[^<]*</a>)\s*(?:\*\*|__)?",
    re.I,
)
# At the end of a line of text: only link text that says "back to top" (or an arrow), since
# "[top-level await](#top-level-await)" is a real link.
TRAILING_BACK_TO_TOP_RE = re.compile(
    r"(?<=\S)\s+(?:\*\*|__)?\s*(?:\[(?:[^\[\]]|\[[^\]]*\])*(?:back\s+to\s+(?:the\s+)?(?:top|contents|toc|index)|⬆|↑|↥)"
    r"(?:[^\[\]]|\[[^\]]*\])*\]\(#[^)]*\)|<a\s[^>]*href=[\"']#[^\"']*[\"'][^>]*>[^<]*(?:back\s+to\s+top|⬆|↑|↥)[^<]*</a>)"
    r"\s*(?:\*\*|__)?\s*$",
    re.I,
)
DIV_LINE_RE = re.compile(r"^\s*</?div\b[^>]*>\s*$", re.I)
BR_LINE_RE = re.compile(r"^\s*<br\s*/?>\s*$", re.I)
GENERIC_SUMMARY_RE = re.compile(
    r"^(?:show|view|see|reveal|click|toggle)?\s*(?:the\s+|to\s+(?:see|show|view|expand)\s+)?"
    r"(?:answers?|solutions?|explanations?|hints?|details|code|examples?|output|more|expand)\b",
    re.I,
)
QUIZ_HEADING_RE = re.compile(r"^(quiz|self[- ]check|check yourself)\W*$", re.I)
TASK_ITEM_RE = re.compile(r"^\s*[-*+][ \t]+\[(?P<mark>[ xX])\][ \t]+(?P<text>.+)$")
# Sections after the last question that are about the document, not part of its answer.
CLOSING_HEADING_RE = re.compile(
    r"^\W*(?:additional |further |useful |more )?(?:resources|references|reading|links|disclaimer|license|licence"
    r"|contributing|contributors?|sponsors?|support(?: the project| us)?|acknowledg(?:e)?ments?|credits|authors?"
    r"|conclusion|final (?:words|thoughts)|thanks?|thank you|donate|star history)\W*$",
    re.I,
)
PROMO_LINE_RE = re.compile(r"(?:sponsor|sponsored|donate|buy me a coffee|patreon|open ?collective|become a backer)", re.I)
LEADING_SYMBOLS_RE = re.compile(r"^[^\w(\[\"'`\\]+")
CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
FRONT_MATTER_KEY_RE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
