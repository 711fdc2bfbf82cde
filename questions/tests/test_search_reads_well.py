"""Search results read well: inline code in titles, only the matched words marked, the matching passage shown."""

import re

import pytest

from questions.models import Category, Question
from questions.search import highlight_pattern, mark_title, snippet, tokens


def test_identifiers_stay_whole_tokens():
    assert tokens("select_related() QuerySet.filter") == ["select_related", "queryset", "filter"]


def test_select_related_marks_neither_select_nor_relationships():
    pattern = highlight_pattern(tokens("select_related"))
    html = str(mark_title("SELECT with `select_related` across relationships", pattern))
    assert html == "SELECT with <code><mark>select_related</mark></code> across relationships"


def test_prefix_while_typing_is_marked():
    assert str(mark_title("What is middleware?", highlight_pattern(tokens("middlew")))) == (
        "What is <mark>middleware</mark>?"
    )


def test_title_escapes_inside_and_outside_code():
    html = str(mark_title("`<b>` and <i>", highlight_pattern(["b"])))
    assert html == "<code>&lt;<mark>b</mark>&gt;</code> and &lt;i&gt;"


def test_snippet_shows_the_matching_code_lines():
    answer = (
        "<p>Relationships are loaded lazily. Use a SELECT with a join instead.</p>"
        '<figure class="code-example"><figcaption>python</figcaption><div class="highlight"><pre><span></span>'
        "<span>books</span> = Book.objects.all()\nfor b in books.select_related(&quot;author&quot;):\n    print(b)\n</pre></div></figure>"
    )
    html = str(snippet(answer, highlight_pattern(tokens("select_related"))))
    assert html.startswith('<pre class="result-code"><code>')
    assert "books.<mark>select_related</mark>(&quot;author&quot;)" in html
    assert "Relationships" not in html and "<mark>SELECT" not in html


def test_snippet_picks_the_paragraph_with_the_most_words():
    answer = "<p>Signals decouple senders.</p><p>Unrelated text.</p><p>Use signals with a receiver decorator.</p>"
    html = str(snippet(answer, highlight_pattern(tokens("signals receiver"))))
    assert html == "Use <mark>signals</mark> with a <mark>receiver</mark> decorator."


@pytest.mark.django_db
def test_search_page_renders_code_titles_and_passages(client, tiny_set, django_assert_max_num_queries):
    category = Category.objects.filter(question_set=tiny_set).first()
    Question.objects.create(
        category=category, position=999, slug="zz-select-related", title="When to use `select_related`?",
        answer_md="x", answer_html="<p>Intro about relationships.</p><pre><code>qs.select_related('author')\n</code></pre>",
    )
    with django_assert_max_num_queries(4):
        response = client.get("/search/?q=select_related")
    html = response.content.decode()
    assert "<code><mark>select_related</mark></code>" in html
    assert "`select_related`" not in html
    assert re.search(r'<pre class="result-code"><code>qs\.<mark>select_related</mark>', html)
    assert "<mark>relationships" not in html.lower() and "<mark>select</mark>" not in html.lower()
