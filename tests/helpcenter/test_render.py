"""Markdown bodies become safe HTML, whatever the author typed."""

from __future__ import annotations

from destek.helpcenter.render import sections, slugify, to_html, to_text


def test_scripts_handlers_frames_and_javascript_links_are_removed() -> None:
    html = to_html(
        "Hello <script>alert('x')</script>\n\n"
        '<img src="https://cdn.example.com/a.png" onerror="alert(1)" alt="receipt">\n\n'
        '<a href="javascript:alert(1)">click</a> [md](javascript:alert(2)) '
        '<a href="https://example.com" onclick="steal()">site</a>\n\n'
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
        '<div style="position:fixed">x</div>'
    )
    lowered = html.lower()
    for forbidden in (
        "<script",
        "alert('x')",
        "onerror",
        "onclick",
        'href="javascript',
        "<iframe",
        "<style",
        "style=",
    ):
        assert forbidden not in lowered, (forbidden, html)
    assert "[md](javascript:alert(2))" in html, "a javascript: Markdown link stays plain text, not a link"
    assert '<a rel="noopener nofollow">click</a>' in html
    assert '<img src="https://cdn.example.com/a.png" alt="receipt">' in html
    assert '<a href="https://example.com" rel="noopener nofollow">site</a>' in html


def test_markdown_features_render_and_headings_get_anchors() -> None:
    html = to_html("## Adım 1: Giriş\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ `code` [x](https://e.com)")
    assert '<h2 id="adim-1-giris">Adım 1: Giriş</h2>' in html
    assert "<table>" in html and "<s>old</s>" in html and "<code>code</code>" in html
    assert 'rel="noopener nofollow"' in html
    assert to_text(html).startswith("Adım 1: Giriş")


def test_slugs_and_sections() -> None:
    assert slugify("Şifremi UNUTTUM — ne yapmalıyım?") == "sifremi-unuttum-ne-yapmaliyim"
    assert slugify("???") == "article"
    parts = sections("Intro **text**\n\n## First\n\nOne\n\n## Second\n\nTwo")
    assert [(p.heading, p.text) for p in parts] == [("", "Intro text"), ("First", "One"), ("Second", "Two")]
