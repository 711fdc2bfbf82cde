"""Answers render as GitHub renders them, through a sanitizer that allows only what the site styles."""

import re

from content.document import code_mark
from content.render import Renderer, example_figure, highlight, normalize_lists, sanitize


def render(text, figures=(), base_url=""):
    return Renderer(base_url=base_url).answer(text, list(figures))


def test_text_that_is_not_html_is_kept():
    html = render("The <module> frame, the <pyshell#3> prompt, a row <ID | App | Name>, and <b>bold</b>.")
    assert "&lt;module&gt;" in html and "&lt;pyshell#3&gt;" in html and "&lt;ID | App | Name&gt;" in html
    assert "<b>bold</b>" in html


def test_backslash_escapes_render_as_commonmark():
    assert "<p>It's 'quoted' *here*</p>" in render("It\\'s \\'quoted\\' \\*here\\*")


def test_markdown_inside_details_renders():
    html = render("<details><summary>Answer</summary>\n\n#### Answer: D\n\n- one\n- two\n\n</details>")
    assert "<summary>Answer</summary>" in html
    assert re.search(r"<h\d>Answer: D</h\d>", html) and "<li>one</li>" in html


def test_two_space_nested_lists_are_lists_not_code():
    text = "Steps:\n- first\n  - nested under first\n    more of it\n- second\n\n   continued paragraph of second\n"
    html = render(text)
    assert "<pre" not in html
    assert html.count("<ul>") == 2 and "<li>nested under first" in html
    assert "<p>continued paragraph of second</p>" in html
    assert "\n\n- first" in normalize_lists(text)  # a list interrupting a paragraph gets its blank line


def test_github_extensions_tasklists_strikethrough_and_links():
    html = render("- [x] done\n- [ ] todo\n\n~~old~~ see https://example.com")
    assert 'type="checkbox"' in html and "<del>old</del>" in html
    assert '<a href="https://example.com"' in html


def test_relative_images_resolve_against_the_base_url_or_show_their_alt_text():
    text = "![A diagram](img/arch.png) and <img src=\"./x.png\" alt=\"X\">"
    assert '<img src="https://example.com/docs/img/arch.png" alt="A diagram">' in render(text, base_url="https://example.com/docs/")
    html = render(text)
    assert "<img" not in html and "A diagram" in html and "X" in html


def test_remote_images_only_over_https():
    assert "<img" not in render("![x](http://example.com/a.png)")
    assert '<img src="https://example.com/a.png"' in render("![x](https://example.com/a.png)")
    assert "<img" not in sanitize('<img src="http://example.com/a.png">')


def test_links_to_missing_anchors_are_dropped():
    html = render("See [the top](#top) and [docs](https://docs.python.org/).")
    assert "the top" in html and 'href="#top"' not in html
    assert 'href="https://docs.python.org/"' in html


def test_sanitizer_allows_only_the_classes_the_site_styles():
    html = sanitize('<div class="highlight fixed-overlay"><span class="k kw-evil">x</span></div><p class="x" style="position:fixed">y</p>')
    assert '<div class="highlight">' in html and '<span class="k">' in html
    assert "fixed-overlay" not in html and "kw-evil" not in html and "style" not in html and 'class="x"' not in html


def test_code_goes_in_after_the_prose_is_sanitized_and_keeps_pygments_markup():
    figure = example_figure(0, "python", highlight("def f():\n    return '<script>'\n", "python"))
    html = render(f"Before\n\n{code_mark(0)}\n\nAfter <script>alert(1)</script>", [figure])
    assert '<figure class="code-example" data-example="0">' in html
    assert '<span class="k">def</span>' in html and "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "\x00" not in html


def test_prose_cannot_forge_a_code_slot():
    figure = example_figure(0, "python", highlight("x = 1\n", "python"))
    html = render("Look: \ue0020\ue003 and <b>\ue0020\ue003</b>", [figure])
    assert "<figure" not in html and "\ue002" not in html


def test_the_one_code_mark_survives_markdown_at_any_indent():
    figures = [example_figure(i, "text", highlight(f"code {i}\n", "text")) for i in range(2)]
    html = render(f"- item\n\n  {code_mark(0)}\n\nText\n\n{code_mark(1)}\n", figures)
    assert html.count("<figure") == 2 and "CODE" not in html


def test_details_as_github_reads_them_indented_head_and_bare_p():
    indented = render("Intro.\n\n<details>\n    <summary>Deep dive</summary>\n    First line of the dive.\n\n**Bold** text\n- a\n\n</details>")
    assert "<pre" not in indented and "<p>First line of the dive.</p>" in indented
    assert "<strong>Bold</strong>" in indented and "<li>a</li>" in indented
    wrapped = render("<details><summary><b>Answer</b></summary>\n<p>\n\n#### Answer: D\n\nBecause `var` hoists.\n\n</p>\n</details>")
    assert re.search(r"<h\d>Answer: D</h\d>", wrapped) and "<code>var</code>" in wrapped
    assert "####" not in wrapped


def test_a_fence_right_after_a_line_of_text_is_not_put_inside_its_paragraph():
    figure = example_figure(0, "sql", highlight("SELECT 1;\n", "sql"))
    html = render(f"Consider:\n{code_mark(0)}\nKeep in mind the nulls.\n\nNext paragraph.", [figure])
    assert re.sub(r"<figure.*</figure>", "FIGURE", html, flags=re.S) == (
        "<p>Consider:</p>\nFIGURE\n<p>Keep in mind the nulls.</p>\n<p>Next paragraph.</p>"
    )


def test_headings_indented_up_to_three_spaces_are_headings_as_on_github():
    html = render("Intro.\n\n  ### 3. Work units\n\nText.\n\n- item\n\n    #### In the item\n\n  more\n")
    assert "#" not in html
    assert "<h2>3. Work units</h2>" in html and "<h3>In the item</h3>" in html
    assert "<pre" in render("Intro.\n\n    ### four spaces is code\n")
