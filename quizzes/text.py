"""Text analysis behind the quiz items: normalising, bullet points, cloze blanks, identifiers.

Pure functions of the text, no database; cached by the text itself, so they stay right after a re-import.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from dataclasses import dataclass
from functools import lru_cache

from content.parser import strip_inline

PYTHON_LANGUAGES = {"python", "py", "python3", "py3", "pycon"}
NOT_API = (
    set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | {"self", "cls", "kwargs", "args"}
    # Methods of str, dict and list say nothing about the framework.
    | {"get", "split", "join", "lower", "upper", "strip", "replace", "pop", "append", "extend", "items",
       "keys", "values", "format", "read", "write", "seek", "push", "startswith", "endswith", "setdefault"}
)


@dataclass(frozen=True)
class Blank:
    line: int  # 0-based line of the example's code
    identifier: str
    before: str
    after: str


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".;:").casefold()


@lru_cache(maxsize=20_000)
def bullet_points(answer_md: str) -> tuple[str, ...]:
    """The top-level items of the answer's bullet lists (three or more items), as plain text."""
    points: list[str] = []
    run: list[str] = []
    fence = ""
    for line in answer_md.split("\n"):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match:
            fence = match.group(1)
            continue
        item = re.match(r"^ {0,1}[-*+][ \t]+(?!\[[ xX]\])(.+)$", line)
        if item:
            text = strip_inline(item.group(1)).replace("`", "")
            if 3 <= len(text) <= 200:
                run.append(text)
            continue
        if stripped and not line[:1].isspace():
            if len(run) >= 3:
                points.extend(run)
            run = []
    if len(run) >= 3:
        points.extend(run)
    seen: set[str] = set()
    unique = []
    for point in points:
        if normalize(point) not in seen:
            seen.add(normalize(point))
            unique.append(point)
    return tuple(unique)


def _byte_col_to_str(line: str, col: int) -> int:
    return len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))


@lru_cache(maxsize=20_000)
def cloze_blanks(code: str) -> tuple[Blank, ...]:
    """Lines of a Python example where an API identifier can be blanked unambiguously.

    An identifier counts as API when it is imported, called as a method, read from a
    module-like name (`transaction.atomic`), or a keyword argument of such a call; names
    the snippet binds itself (variables, parameters, its own functions and classes) never do.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return ()
    lines = code.split("\n")
    local: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            local.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname:
                    local.add(alias.asname)
                else:
                    imported.add(alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            local.add(node.attr)  # model fields and attributes the snippet sets itself

    def api_base(value: ast.AST) -> bool:
        return isinstance(value, ast.Name) and value.id not in local and value.id[:1].islower()

    found: list[tuple[int, int, str]] = []  # (line index, byte column, identifier)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            # Keyword arguments of `models.CharField(max_length=...)` are API; those of
            # `Q(status=...)` or `filter(author__name=...)` are the snippet's own field names.
            api_call = isinstance(func, ast.Attribute) and api_base(func.value)
            if isinstance(func, ast.Attribute) and func.end_lineno == func.lineno:
                found.append((func.end_lineno - 1, func.end_col_offset - len(func.attr), func.attr))
            elif isinstance(func, ast.Name) and func.id not in local and (func.id in imported or func.id[:1].islower()):
                found.append((func.lineno - 1, func.col_offset, func.id))
            if api_call:
                for kw in node.keywords:
                    if kw.arg and "__" not in kw.arg:
                        found.append((kw.lineno - 1, kw.col_offset, kw.arg))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and api_base(node.value):
            if node.end_lineno == node.lineno:
                found.append((node.end_lineno - 1, node.end_col_offset - len(node.attr), node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if not alias.asname and alias.name != "*":
                    found.append((alias.lineno - 1, alias.col_offset, alias.name))

    blanks: dict[tuple[int, str], Blank] = {}
    for index, col, name in found:
        if name in NOT_API or name in local or len(name) < 3 or not re.fullmatch(r"[A-Za-z_]\w*", name):
            continue
        if index >= len(lines):
            continue
        line = lines[index]
        col = _byte_col_to_str(line, col)
        if line[col : col + len(name)] != name:
            continue
        # Unambiguous: the identifier appears once on the line, and no comment gives it away.
        if len(re.findall(rf"(?<![\w.]){re.escape(name)}\b|(?<=\.){re.escape(name)}\b", line)) != 1:
            continue
        if line.count(name) != 1:
            continue
        before, after = line[:col], line[col + len(name) :]
        if not (before + after).strip() or len(line.strip()) < len(name) + 4:
            continue
        if name.casefold() in (before + after).casefold():
            continue  # `from celery import Celery`: the rest of the line spells the answer
        blanks.setdefault((index, name), Blank(index, name, before.rstrip("\n"), after.rstrip("\n")))
    ordered = sorted(blanks.values(), key=lambda b: (b.line, b.before))
    # Drop blanks whose line pattern another line of the same example fills differently.
    result = []
    for blank in ordered:
        prefix, suffix = blank.before.strip(), blank.after.rstrip()
        clash = False
        for other in lines:
            stripped = other.strip()
            if stripped.startswith(prefix) and other.rstrip().endswith(suffix) and len(stripped) > len(prefix) + len(suffix.strip()):
                middle = stripped[len(prefix) : len(stripped) - len(suffix.strip()) if suffix.strip() else None]
                if re.fullmatch(r"[A-Za-z_]\w*", middle or "") and middle != blank.identifier:
                    clash = True
                    break
        if not clash:
            result.append(blank)
    return tuple(result)


@lru_cache(maxsize=20_000)
def identifiers(code: str) -> frozenset[str]:
    return frozenset(b.identifier for b in cloze_blanks(code))


def shape(word: str) -> str:
    if word.isupper():
        return "upper"
    if word[:1].isupper():
        return "camel"
    return "snake"


# What an identifier is, by its place in the line: distractors are drawn from the same role.
ROLES = ("decorator", "keyword", "setting", "method", "attribute", "class", "function")


def role(identifier: str, before: str, after: str) -> str:
    """The syntactic role of a blanked identifier: `@decorator`, `kwarg=`, `SETTING`, `.method(`, ..."""
    head, tail = before.strip(), after.lstrip()
    if re.fullmatch(r"@[\w.]*", head):
        return "decorator"
    if tail.startswith("=") and not tail.startswith("==") and before.count("(") > before.count(")"):
        return "keyword"
    if identifier.isupper():
        return "setting"
    if head.endswith("."):
        return "method" if tail.startswith("(") else "attribute"
    if identifier[:1].isupper():
        return "class"
    return "function"


@lru_cache(maxsize=20_000)
def roles(code: str) -> tuple[tuple[str, str], ...]:
    """(identifier, role) of every cloze blank of a Python example."""
    return tuple(sorted({(b.identifier, role(b.identifier, b.before, b.after)) for b in cloze_blanks(code)}))


LABELS = {"answer", "example", "examples", "note", "output", "explanation", "solution", "code", "question", "result"}


@dataclass(frozen=True)
class KeyPoint:
    text: str
    source: str  # "bullet", "term", "sentence" or "comment"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", strip_inline(text).replace("`", "")).strip()


def _prose_blocks(answer_md: str) -> list[str]:
    """Paragraphs of the answer outside code fences, lists, headings, tables and quotes."""
    blocks, current, fence = [], [], ""
    for line in answer_md.split("\n") + [""]:
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match or not stripped or re.match(r"^([-*+]\s|\d+[.)]\s|#|\||>)", stripped) or line[:1] in " \t":
            if current:
                blocks.append(" ".join(current))
            current = []
            fence = match.group(1) if match else ""
            continue
        current.append(stripped)
    return blocks


@lru_cache(maxsize=20_000)
def key_points(answer_md: str, codes: tuple[str, ...] = ()) -> tuple[KeyPoint, ...]:
    """The answer's key points: bullet items, bold terms, the first sentence of each paragraph;
    for a code-only answer, the code's own comments. Shared by key-point items and the drill."""
    points = [KeyPoint(text, "bullet") for text in bullet_points(answer_md)]
    prose = "\n".join(block for block in re.split(r"^(?:`{3,}|~{3,}).*?^(?:`{3,}|~{3,})\s*$", answer_md, flags=re.M | re.S))
    for match in re.finditer(r"\*\*(.+?)\*\*|__(.+?)__", prose):
        raw = match.group(1) or match.group(2)
        term = _plain(raw).rstrip(":")
        # "**Answer:**", "**Example**:" are labels, not terms.
        label = raw.rstrip().endswith(":") or prose[match.end() : match.end() + 1] == ":"
        if 2 <= len(term) <= 60 and not label and term.casefold() not in LABELS:
            points.append(KeyPoint(term, "term"))
    for block in _prose_blocks(answer_md):
        sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", _plain(block), maxsplit=1)[0].strip()
        if len(sentence.split()) >= 4 and len(sentence) <= 240 and not sentence.endswith(":"):
            points.append(KeyPoint(sentence, "sentence"))
    if not points:
        for code in codes:
            for match in re.finditer(r"^[ \t]*(?:#(?!!)|//)[ \t]*(.+)$", code, flags=re.M):
                text = re.sub(r"^\d+[.)]\s*", "", match.group(1).strip().lstrip("#").strip())
                if (8 <= len(text) <= 160 and len(text.split()) >= 2 and re.search(r"[A-Za-z]{3}", text)
                        and not re.search(r"[{}<>]|^\w+\s+=\s|\)$", text)):
                    points.append(KeyPoint(text, "comment"))
    seen: set[str] = set()
    unique = []
    for point in points:
        key = normalize(point.text)
        # A bold term that opens a bullet already listed says nothing new.
        if key in seen or (point.source == "term" and any(k.startswith(key) for k in seen)):
            continue
        seen.add(key)
        unique.append(point)
    return tuple(unique)


def mentions(text: str, answer: str) -> bool:
    """Whether `answer` appears in `text` as a whole word (case-insensitive): a giveaway."""
    if not answer.strip() or not text:
        return False
    needle = re.sub(r"\s+", " ", answer.strip()).casefold()
    hay = re.sub(r"\s+", " ", text.replace("`", "")).casefold()
    return re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", hay) is not None
