"""The chapter decks (``make slides``, ``scripts/make_slides.py``): one per chapter, built from the
chapter's own cells, viewable offline, every formula typeset.

Static checks read ``_build/slides/`` (build it with ``make slides``; ``make test`` does):

``test_every_chapter_has_a_deck``
    one deck per chapter notebook of ``_toc.yml``, listed in the index;
``test_statement_numbers_are_the_books``
    every statement box of the chapter has a slide headed with the book's number and title, and
    those headings are the ones the HTML book prints (so the numbering is sphinx-proof's);
``test_deck_shows_the_chapter``
    every figure of the chapter is a slide, and the key takeaways and the exercises' titles are
    there when the chapter has them; no solution text is;
``test_deck_loads_nothing_from_outside``
    every ``src``/``href`` of a deck is a file inside ``_build/slides``.

In headless Chromium (marker ``browser``, skipped without Chromium unless
``AFTERMARKETS_REQUIRE_BROWSER=1``), each deck is served on 127.0.0.1 and opened at 1280 x 720:

``test_deck_in_browser``
    reveal.js starts; MathJax typeset every formula (every ``.math`` element holds an
    ``mjx-container``; no MathJax error; no undefined macro; no raw ``\\(``/``\\[``/``$$`` left in
    the text); every slide's content fits the slide (the deck shrinks the font of a long slide, to
    no less than 50%); every image loaded; no console error; no request leaves 127.0.0.1. With
    ``AFTERMARKETS_SCREENSHOTS=1`` (``make screenshots``) a screenshot of every slide goes to
    ``_build/screenshots/slides/``.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
from browser_tools import SCREENSHOTS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import booktools  # noqa: E402
import student_edition  # noqa: E402

SLIDES = ROOT / "_build" / "slides"
SHOTS = ROOT / "_build" / "screenshots" / "slides"
CHAPTERS = booktools.chapters()
NOT_BUILT = f"no decks in {SLIDES}: run `make slides` first"


def _deck(path: Path) -> str:
    deck = SLIDES / f"{path.stem}.html"
    if not deck.is_file():
        pytest.fail(f"{deck.name} missing: {NOT_BUILT}", pytrace=False)
    return deck.read_text()


def _text(markup: str) -> str:
    """Visible text of HTML, whitespace collapsed (math stays as its TeX source)."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    markup = re.sub(r'src="data:[^"]*"', "", markup)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def test_every_chapter_has_a_deck():
    """One deck per chapter notebook, each listed in the index."""
    assert CHAPTERS, "no chapter notebooks found"
    index = SLIDES / "index.html"
    assert index.is_file(), NOT_BUILT
    for path in CHAPTERS:
        _deck(path)
        assert f'href="{path.stem}.html"' in index.read_text(), f"{path.stem} not in the index"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_deck_shows_the_chapter(path):
    """Figures, takeaways and exercises are in the deck; no solution is (statements: below)."""
    deck = _deck(path)
    text = _text(deck)
    nb = booktools.read_notebook(path)
    figures = sum(
        1
        for c in nb["cells"]
        if c["cell_type"] == "code" and not booktools.tags(c) & {"remove-cell", "remove-output"}
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    )
    assert deck.count('class="slide-figure"') == figures
    assert deck.count("<img ") == figures
    prose = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    if "**Key takeaways" in prose:
        assert 'class="slide-takeaways"' in deck
    exercises = [
        d.argument
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for d in booktools.directives(c["source"])
        if d.name == "exercise"
    ]
    if exercises:
        listed = deck[deck.index('class="slide-exercises"') :].split("</section>")[0]
        assert listed.count("<li>") == len(exercises), f"{path.stem}: exercises missing from the deck"
    for fragment in student_edition.solution_fragments(path):
        assert fragment not in text, f"{path.stem}: solution text on a slide: {fragment!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_deck_loads_nothing_from_outside(path):
    """Every script, style sheet and image of a deck is a file inside _build/slides."""
    deck = _deck(path)
    refs = re.findall(r'(?:src|href)="([^"]+)"', deck)
    assert any(r.endswith("reveal.js") for r in refs) and any("mathjax" in r for r in refs)
    for ref in refs:
        if ref.startswith("data:") or ref.startswith("#"):
            continue
        assert not urllib.parse.urlsplit(ref).scheme, f"{path.stem}: loads {ref}"
        assert (SLIDES / ref).resolve().is_file(), f"{path.stem}: {ref} is not in the build"


# ------------------------------------------------------------------------------- browser


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def deck_browser(playwright_api, chromium_path):
    """A headless Chromium page factory and the base URL of _build/slides served on 127.0.0.1."""
    api, chromium = playwright_api, chromium_path
    if not (SLIDES / "index.html").is_file():
        pytest.fail(NOT_BUILT, pytrace=False)
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SLIDES))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
            yield context, f"http://127.0.0.1:{httpd.server_address[1]}/"
            context.close()
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


# Runs in the deck once it is fitted: what the tests check, as JSON.
CHECK_JS = r"""
() => {
  const result = { math: 0, untypeset: [], errors: [], undefinedMacros: [], raw: [], slides: [],
                   images: [] };
  for (const el of document.querySelectorAll('.math')) {
    result.math += 1;
    if (!el.querySelector('mjx-container')) result.untypeset.push(el.textContent.slice(0, 80));
  }
  for (const err of document.querySelectorAll('mjx-merror')) {
    result.errors.push(err.getAttribute('data-mjx-error') || err.textContent.slice(0, 80));
  }
  for (const item of MathJax.startup.document.math) {
    try {
      item.root.walkTree((node) => {
        if (node.isKind('mtext') && node.attributes.get('mathcolor')) {
          const t = node.childNodes.map((c) => (c.getText ? c.getText() : '')).join('');
          if (t.startsWith('\\')) result.undefinedMacros.push(t + ' in ' + item.math.slice(0, 60));
        }
      });
    } catch (e) { /* no finding rather than a false one */ }
  }
  const walker = document.createTreeWalker(document.querySelector('.slides'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('pre, code, mjx-container, script, style')) continue;
    if (/\\\(|\\\)|\\\[|\\\]|\$\$/.test(n.data)) result.raw.push(n.data.trim().slice(0, 80));
  }
  const height = Reveal.getConfig().height;
  document.querySelectorAll('.reveal .slides > section').forEach((s, i) => {
    const display = s.style.display;
    s.style.display = 'block';
    result.slides.push({ index: i, kind: s.className, fit: Number(s.dataset.fit),
                         height: s.scrollHeight, limit: height });
    s.style.display = display;
  });
  for (const img of document.querySelectorAll('.slides img')) {
    result.images.push({ complete: img.complete, width: img.naturalWidth });
  }
  return result;
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_deck_in_browser(path, deck_browser):
    """reveal.js runs, every formula is typeset, every slide fits, nothing leaves the machine."""
    context, base = deck_browser
    _deck(path)
    page = context.new_page()
    outside, console = [], []

    def route(r):
        host = urllib.parse.urlsplit(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        page.goto(base + f"{path.stem}.html", wait_until="load")
        page.wait_for_function("document.body.dataset.fitted === 'true'", timeout=60_000)
        data = page.evaluate(CHECK_JS)
        if SCREENSHOTS:  # make screenshots
            SHOTS.mkdir(parents=True, exist_ok=True)
            for s in data["slides"]:
                page.evaluate(f"Reveal.slide({s['index']})")
                page.screenshot(path=str(SHOTS / f"{path.stem}-{s['index']:02d}.png"))
    finally:
        page.close()
    assert data["math"] > 0 or "$" not in _deck(path), f"{path.stem}: no formula was found"
    assert not data["untypeset"], f"{path.stem}: formulas not typeset: {data['untypeset']}"
    assert not data["errors"], f"{path.stem}: MathJax errors: {data['errors']}"
    assert not data["undefinedMacros"], f"{path.stem}: undefined macros: {data['undefinedMacros']}"
    assert not data["raw"], f"{path.stem}: raw TeX delimiters in the text: {data['raw']}"
    too_tall = [s for s in data["slides"] if s["height"] > s["limit"] + 1]
    assert not too_tall, f"{path.stem}: slides taller than the slide: {json.dumps(too_tall)}"
    assert all(i["complete"] and i["width"] > 0 for i in data["images"]), f"{path.stem}: an image failed"
    assert not outside, f"{path.stem}: requests left 127.0.0.1: {outside}"
    assert not console, f"{path.stem}: console errors: {console}"
    print(
        f"{path.stem}: {len(data['slides'])} slides, {data['math']} formulas, "
        f"smallest font {min(s['fit'] for s in data['slides']):.2f}"
    )


def _nomath(text: str) -> str:
    text = re.sub(r"\\\(.*?\\\)|\$[^$]*\$", " ", text)
    return re.sub(r"[\s*`]+", " ", text).strip()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_statement_numbers_are_the_books(path):
    """The numbers the decks and the PDF check give the statement boxes are those of the HTML
    book (sphinx-proof's: per type, through the book, in book order, skipping ``:nonumber:``)."""
    page = ROOT / "_build" / "html" / "book" / f"{path.stem}.html"
    if not page.is_file():
        pytest.fail("no book at _build/html: run `make book` first", pytrace=False)
    titles = {
        _nomath(_text(t))
        for t in re.findall(r'<p class="admonition-title"[^>]*>(.*?)</p>', page.read_text(), re.S)
    }
    mine = [st for st in booktools.statements() if st.notebook == path]
    for st in mine:
        assert _nomath(st.heading) in titles, f"{path.stem}: the book has no box headed {st.heading!r}"
    deck = _deck(path)
    slides = {_nomath(_text(t)) for t in re.findall(r'<p class="box-title">(.*?)</p>', deck, re.S)}
    for st in mine:
        assert _nomath(st.heading) in slides, f"{path.stem}: no slide headed {st.heading!r}"


@pytest.mark.browser
def test_long_slide_is_shrunk_to_fit(deck_browser):
    """Planted: a slide made about 1.5 times too tall is set in a smaller font until it fits (the
    check above passes trivially if no chapter has a long slide)."""
    context, base = deck_browser
    path = CHAPTERS[0]
    _deck(path)
    page = context.new_page()
    try:
        page.goto(base + f"{path.stem}.html", wait_until="load")
        page.wait_for_function("document.body.dataset.fitted === 'true'", timeout=60_000)
        result = page.evaluate(
            """() => {
              const s = document.querySelector('.reveal .slides > section');
              const limit = Reveal.getConfig().height;
              s.style.display = 'block';
              const line = '<p>A planted paragraph that makes this slide taller than the slide.</p>';
              while (s.scrollHeight < 1.5 * limit) s.insertAdjacentHTML('beforeend', line);
              const before = s.scrollHeight;
              window.fitSlides();
              s.style.display = 'block';
              return { before: before, after: s.scrollHeight, limit: limit, fit: Number(s.dataset.fit) };
            }"""
        )
    finally:
        page.close()
    assert result["before"] >= 1.5 * result["limit"]
    assert 0.5 <= result["fit"] < 1 and result["after"] <= result["limit"] + 1, result
