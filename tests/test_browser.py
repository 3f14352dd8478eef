"""Reader checks of the built book in a real browser (headless Chromium driven by Playwright).

Every HTML page of the build (all ``*.html`` except under ``_static``, ``_sources`` and
``_images``) is checked at two widths, 1280 x 900 (a laptop) and 390 x 844 (a phone), for what a
reader would see. Each page is loaded once, at 1280 px, measured, then its tab is resized to 390
px and measured again: loading a chapter is most of the time a page takes, and the layout at a
width does not depend on the width the page was loaded at (the theme's layout is CSS media
queries; MathJax's output does not depend on the width). That was checked on every page of the
book: loading at 390 px and resizing a page loaded at 1280 px to 390 px collect the same data,
every measured box included. The checks:

``test_console_clean``
    no console error and no uncaught exception, except the allow-listed toolchain messages below;
``test_math_typeset``
    MathJax typeset every formula: no raw ``\\(``, ``\\)``, ``\\[``, ``\\]`` or ``$$`` left in the
    text of ``<main>`` (code excluded), no single ``$`` followed by a macro and no common macro such
    as ``\\frac`` there either, every ``.math`` element holds an ``mjx-container``, and
    no formula is rendered as a MathJax error;
``test_nothing_wider_than_column``
    every formula (display and inline), every table and every text output (``pre`` in a cell
    output) fits the reader's column: nothing scrolls sideways, is clipped, or sticks out of the
    article's content box by more than 1 px, and the page itself does not scroll sideways. A text
    output that scrolls sideways fails too: by the book's convention results that do not fit are
    shown as real tables. Input code is not checked here;
``test_figures``
    every figure in the article loaded, has a non-zero size and fits the column;
``test_links_resolve``
    every same-site link (and a meta-refresh target, as in ``index.html``) points to a file of the
    build, and its ``#fragment`` to an ``id`` (or ``name``) in that file; external links are
    listed (``-rA`` shows them), not followed;
``test_no_outside_requests``
    the page requests nothing outside 127.0.0.1 (such requests are recorded and aborted).

Elements a reader cannot see are not measured on the page as loaded: no layout box
(``display: none``, a closed ``<details>``) or ``visibility: hidden`` (a dropdown admonition that
togglebutton collapsed, e.g. a solution). Then, at 1280 px, every dropdown and ``<details>`` is
opened, as a reader may, and the elements they hid are measured too; at 390 px the page is
measured with them open (opening a dropdown adds height, not width: what is outside is laid out
as with them closed), see ``_collect``. Findings inside an opened box are marked "hidden until its
dropdown is opened". Raw TeX delimiters and untypeset ``.math`` elements are looked for in hidden
content directly.

Console allow-list (toolchain messages that the book's own sources cannot cause; each is matched
on its exact text and, where the browser reports one, its source file):

1. uncaught ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``: sphinx-thebe
   0.3.1 adds the inline script ``const THEBE_JS_URL = ...`` from an ``env-before-read-docs``
   handler with no de-duplication, and the Jupyter Book 1 build puts it twice in every page. The
   second copy throws; the first already defined the same constants, and thebe is off
   (``launch_buttons.thebe: false``), so nothing the reader uses depends on it.
2. ``console.error("Got invalid theme mode: . Resetting to auto.")`` from
   ``_static/scripts/pydata-sphinx-theme.js``: the theme's inline head script sets the colour mode
   to ``localStorage.mode || default_mode``, and sphinx-book-theme leaves ``default_mode`` empty,
   so on a reader's first visit (here: the first page the test's fresh browser opens) the theme
   logs this and falls back to "auto", its intended default.

Besides these, "Failed to load resource" errors for requests that this test itself aborted
(requests leaving 127.0.0.1) are not counted twice: they fail ``test_no_outside_requests``.

Where things are:

* the HTML: ``$AFTERMARKETS_HTML_DIR`` if set, else ``<repo>/_build/html`` (``make book``);
* screenshots, with ``AFTERMARKETS_SCREENSHOTS=1`` (``make screenshots``; off in ``make test``,
  where a chapter's full-page screenshot would take longer than all its checks), one full page per
  page and width (at 1280 px as loaded, at 390 px with the dropdowns open):
  ``<html dir>/../screenshots/<page path, "/" -> "-">-<width>.png``, i.e. ``_build/screenshots/``
  for the default build, and a ``screenshots`` directory beside ``$AFTERMARKETS_HTML_DIR``
  otherwise; ``$AFTERMARKETS_SCREENSHOT_DIR`` overrides both;
* Chromium: ``$AFTERMARKETS_CHROMIUM`` if set, else ``chromium`` on ``PATH`` (Debian's package).

Without Chromium or the ``playwright`` package the tests are skipped, unless
``AFTERMARKETS_REQUIRE_BROWSER=1`` (CI), when they fail. All tests carry the marker ``browser``
(``pytest -m "not browser"`` deselects them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html.parser
import http.server
import os
import re
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from browser_js import COLLECT, MATHJAX_AND_FONTS_DONE, MATHJAX_STARTED, OPEN_ALL
from browser_tools import SCREENSHOTS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
HTML_DIR = Path(os.environ.get("AFTERMARKETS_HTML_DIR") or REPO / "_build" / "html").resolve()
SCREENSHOT_DIR = Path(os.environ.get("AFTERMARKETS_SCREENSHOT_DIR") or HTML_DIR.parent / "screenshots")

#: (width, height) of the two viewports: a laptop and a phone.
VIEWPORTS = {1280: 900, 390: 844}
#: Directories of the build that hold no pages of their own.
NOT_PAGES = ("_static", "_sources", "_images")
#: Local hosts: the only ones a page may request from.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
#: Text outputs of code cells: must not scroll sideways. Input code (div.cell_input) is excluded.
OUTPUT_PRE = "div.cell_output pre, div.output pre"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
#: How many pages the loader opens ahead of the one being checked (on two cores, 1 is fastest:
#: more tabs loading at once slow down the page being measured and its screenshot).
AHEAD = 1

#: Console messages the toolchain emits on every page; see the module docstring for why each is
#: harmless. Entries: (kind, exact text, source file suffix or None).
CONSOLE_ALLOW = (
    # sphinx-thebe 0.3.1 puts `const THEBE_JS_URL = ...` twice in every page (thebe is off).
    ("pageerror", "Identifier 'THEBE_JS_URL' has already been declared", None),
    # pydata-sphinx-theme: empty default_mode on a first visit; the theme falls back to "auto".
    ("error", "Got invalid theme mode: . Resetting to auto.", "_static/scripts/pydata-sphinx-theme.js"),
)

NOT_BUILT = (
    f"no built book at {HTML_DIR}: run `make book` first "
    "(or point AFTERMARKETS_HTML_DIR at a built _build/html)"
)


def _pages() -> list[str]:
    """Return every page of the build, as paths relative to the HTML directory.

    Returns
    -------
    list of str
        Sorted POSIX paths of all ``*.html`` files outside ``_static``, ``_sources`` and
        ``_images``; empty when the build is missing.
    """
    if not HTML_DIR.is_dir():
        return []
    found = []
    for path in HTML_DIR.rglob("*.html"):
        rel = path.relative_to(HTML_DIR)
        if rel.parts[0] not in NOT_PAGES:
            found.append(rel.as_posix())
    return sorted(found)


PAGES = _pages()
CASES = [(page, width) for page in PAGES for width in VIEWPORTS] or [("(book not built)", 0)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def html_dir() -> Path:
    """The built HTML directory; fails with a hint to run ``make book`` when it is missing."""
    if not (HTML_DIR / "index.html").is_file() or not PAGES:
        pytest.fail(NOT_BUILT, pytrace=False)
    return HTML_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that does not log each request to stderr."""

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(html_dir):
    """Serve the build on 127.0.0.1 at a free port from a background thread.

    Yields
    ------
    str
        The base URL, ending in ``/``.
    """
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html_dir))
    )
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(playwright_api, chromium_path):
    """One headless Chromium for the whole module."""
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclasses.dataclass
class Rendered:
    """What one page showed at one width: the collector's JSON plus what was heard on the way."""

    page: str
    width: int
    final_page: str
    data: dict
    console: list[tuple[str, str, str]]
    outside: list[str]
    screenshot: Path | None
    seconds: float

    @property
    def label(self) -> str:
        """``page at N px`` (with the redirect target, if the page redirected)."""
        target = "" if self.final_page == self.page else f" (redirects to {self.final_page})"
        return f"{self.page}{target} at {self.width} px"


def _is_local(url: str) -> bool:
    """True for URLs a page may load: 127.0.0.1/localhost, ``data:``, ``blob:``, ``about:``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


#: Every URL that is not on 127.0.0.1/localhost. Matched by Playwright itself, so the local
#: requests (the page's own files) are not intercepted at all; the handler still re-checks.
NOT_LOCAL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/|$))")


def _redirect_target(page: str) -> str | None:
    """The page a ``<meta http-equiv="refresh">`` page sends the reader to, if any."""
    refresh = _parse(HTML_DIR / page).refresh
    return None if refresh is None else urllib.parse.urljoin(page, refresh)


@dataclasses.dataclass
class _Visit:
    """One page opened (at the first width of :data:`VIEWPORTS`) in its own tab, possibly still
    loading."""

    page_path: str
    page: object
    console: list[tuple[str, str, str]]
    outside: list[str]
    started: float


class _Loader:
    """Opens pages in the order the tests use them, starting each one while the previous is checked.

    All pages are tabs of one browser context (one reader's browser: the HTTP cache is shared,
    so the theme's and MathJax's scripts are fetched and compiled once), each in a new tab with
    its own viewport. Loading a chapter (MathJax typesets hundreds of formulas) and taking its
    full-page screenshot each keep a core busy for seconds; starting the next page's navigation
    before measuring the current one lets the two overlap on a two-core machine. A page is
    measured only once it has loaded and been typeset.
    """

    def __init__(self, browser, base: str, order: list[str]):
        self.context = browser.new_context(device_scale_factor=1, service_workers="block")
        self.base = base
        self.order = order
        self.pending: dict[str, _Visit] = {}

    def open(self, page_path: str) -> _Visit:
        """Open a tab at the first width, hook the listeners, and start the navigation."""
        page = self.context.new_page()
        visit = _Visit(page_path, page, [], [], time.monotonic())
        width = next(iter(VIEWPORTS))

        def route(route):
            if _is_local(route.request.url):
                route.continue_()
            else:
                visit.outside.append(route.request.url)
                route.abort()

        try:
            page.set_default_timeout(TIMEOUT_MS)
            page.set_viewport_size({"width": width, "height": VIEWPORTS[width]})
            page.route(NOT_LOCAL, route)
            page.on("console", lambda m: visit.console.append((m.type, m.text, m.location.get("url", ""))))
            page.on("pageerror", lambda e: visit.console.append(("pageerror", e.message or str(e), "")))
            page.goto(self.base + page_path, wait_until="commit")  # returns once the HTML arrives
        except Exception:
            page.close()
            raise
        return visit

    def take(self, page_path: str) -> _Visit:
        """The visit for this page (opened earlier, or now), after starting the next page's."""
        visit = self.pending.pop(page_path, None) or self.open(page_path)
        later = self.order[self.order.index(page_path) + 1 :] if page_path in self.order else []
        for ahead in later[:AHEAD]:
            if ahead not in self.pending:
                # If opening ahead fails, that page opens (and reports) it again itself.
                with contextlib.suppress(Exception):
                    self.pending[ahead] = self.open(ahead)
        return visit

    def close(self) -> None:
        """Close the tabs opened ahead that no test used, and the context."""
        for visit in self.pending.values():
            visit.page.close()
        self.pending.clear()
        self.context.close()


@pytest.fixture(scope="module")
def loader(request, browser, server):
    """The module's :class:`_Loader`, which knows the order in which the pages are checked."""
    order: list[str] = []
    for item in request.session.items:
        case = getattr(item, "callspec", None) and item.callspec.params.get("rendered")
        if case and case[0] not in order:
            order.append(case[0])
    pages = _Loader(browser, server, order)
    yield pages
    pages.close()


def _screenshot(page, path: Path) -> None:
    """Save a full-page PNG screenshot of ``page`` (Playwright's ``page.screenshot``).

    Not Chromium's own ``Page.captureScreenshot`` with ``captureBeyondViewport`` through a CDP
    session of our own, although it took about half the time: with several tabs in one context it
    laid the page out at the width another tab had been resized to (390 px) for the capture, and
    left the page at that width afterwards, so every "1280 px" screenshot showed the phone layout
    and the measurements after it were taken at 390 px. Playwright restores its own viewport.
    :func:`test_measured_at_its_width` checks every measurement's width.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled")


# Raw TeX that lost its delimiters' pairing: a single ``$`` followed by a backslash macro (as when a
# line of an inline formula starts with ``+`` and Markdown reads it as a list item), or a common
# macro such as ``\\frac`` in the visible text of <main>. Code, text outputs and MathJax's own nodes
# are skipped, as for the raw delimiters of browser_js.COLLECT.
RAW_MACROS = r"""() => {
  const main = document.querySelector('main') || document.body;
  const skip = 'pre, code, kbd, samp, script, style, template, noscript, textarea, '
    + 'mjx-container, .highlight, .math';
  const pattern = /\$\s*\\[A-Za-z]+|\\(?:frac|mathbb|mathbf|mathrm|begin|end|cdot)(?![A-Za-z])/;
  const found = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const m = node.data.match(pattern);
    if (!m || node.parentElement.closest(skip)) continue;
    const at = m.index;
    found.push({ text: node.data.slice(Math.max(0, at - 40), at + 60).replace(/\s+/g, ' ').trim(),
                 element: node.parentElement.tagName.toLowerCase() });
  }
  return found;
}"""


def _measure(page, shot: Path | None, opened: bool | str = False) -> dict:
    """The page as it is shown now, at the current width (``COLLECT`` in mode ``opened``, raw
    macros, a screenshot)."""
    page.evaluate(MATHJAX_AND_FONTS_DONE)  # after a resize: the layout and fonts are final
    data = page.evaluate(COLLECT, {"outputPre": OUTPUT_PRE, "opened": opened})
    data["rawMacros"] = page.evaluate(RAW_MACROS)
    if shot is not None:
        _screenshot(page, shot)
    return data


def _collect(page, shots: dict[int, Path | None] | None = None) -> dict[int, dict]:
    """What ``browser_js.COLLECT`` finds on a loaded, typeset page at every width of
    :data:`VIEWPORTS`, dropdowns opened as a reader may; one dict per width.

    At the first width (the page's) the page is measured as loaded, then every dropdown and
    ``<details>`` is opened (``OPEN_ALL``) and the elements they hid are measured; then the tab is
    resized to each other width and everything shown is measured at once, dropdowns open, a
    finding inside an opened box marked ``opened`` (``COLLECT``'s mode "all"). An element outside
    the dropdowns is laid out the same whether they are open or closed (opening one adds height,
    not width), so this measures what a reader sees at each width, dropdowns closed and open, with
    one resize: resizing is what a page costs most after loading it (the README's "Performance
    budget" has the measurement).
    """
    shots = shots or {}
    first, *others = VIEWPORTS
    data = {first: _measure(page, shots.get(first))}
    data[first]["measuredWidths"] = [data[first]["viewport"]["width"]]
    if page.evaluate(OPEN_ALL):
        page.evaluate(MATHJAX_AND_FONTS_DONE)
        more = page.evaluate(COLLECT, {"outputPre": OUTPUT_PRE, "opened": True})
        for key in ("wide", "images"):
            data[first][key] += [dict(entry, opened=True) for entry in more[key]]
        data[first]["pageScrollWidth"] = max(data[first]["pageScrollWidth"], more["pageScrollWidth"])
        data[first]["measuredWidths"].append(more["viewport"]["width"])
    for width in others:
        page.set_viewport_size({"width": width, "height": VIEWPORTS[width]})
        data[width] = _measure(page, shots.get(width), opened="all")
        data[width]["measuredWidths"] = [data[width]["viewport"]["width"]]
    return data


def _render(visit: _Visit, server: str) -> dict[int, Rendered]:
    """Measure one loaded page at every width of :data:`VIEWPORTS` (:func:`_collect`); one
    :class:`Rendered` each.

    After ``load`` (and the redirect of a meta-refresh page such as ``index.html``) waits for
    MathJax's typesetting and the web fonts, then collects; with ``AFTERMARKETS_SCREENSHOTS=1``
    takes a full-page screenshot at each width (at the first as loaded, at the others with the
    dropdowns open). The console messages and the requests leaving 127.0.0.1 are those of the one
    load, so each width reports them.
    """
    page, page_path = visit.page, visit.page_path
    target = _redirect_target(page_path)
    if target is not None:  # index.html: follow the redirect as a reader's browser does
        page.wait_for_url(server + target, wait_until="load")
    else:
        page.wait_for_load_state("load")
    page.wait_for_function(MATHJAX_STARTED)
    final = urllib.parse.urlsplit(page.url).path.lstrip("/")
    shots = {
        w: SCREENSHOT_DIR / f"{page_path.replace('/', '-')}-{w}.png" if SCREENSHOTS else None
        for w in VIEWPORTS
    }
    data = _collect(page, shots)
    seconds = time.monotonic() - visit.started
    return {
        width: Rendered(
            page_path, width, final, data[width], visit.console, visit.outside, shots[width], seconds
        )
        for width in VIEWPORTS
    }


@pytest.fixture(scope="module")
def _rendered_pages() -> dict:
    """Pages measured so far: page path -> {width: Rendered} (each page is loaded once)."""
    return {}


@pytest.fixture(scope="module", params=CASES, ids=[f"{p}-{w}" for p, w in CASES])
def rendered(request, loader, server, _rendered_pages) -> Rendered:
    """One page at one width, as :func:`_render` measured it (when the page's first case comes,
    it is loaded in a new tab, opened ahead by the loader, measured at both widths and closed)."""
    page_path, width = request.param
    if page_path not in _rendered_pages:
        visit = loader.take(page_path)
        try:
            _rendered_pages[page_path] = _render(visit, server)
        finally:
            visit.page.close()
    return _rendered_pages[page_path][width]


# --------------------------------------------------------------------- link targets


class _PageParser(html.parser.HTMLParser):
    """Collects the ``id`` and ``name`` attributes of a page, and its meta-refresh target."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.refresh: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            content = attrs.get("content") or ""
            _, _, url = content.partition("url=")
            self.refresh = url.strip().strip("'\"") or None


@functools.cache
def _parse(path: Path) -> _PageParser:
    """The ids, ``<a name>``s and meta-refresh target of one built HTML file, parsed once."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def _link_problem(url: str, base: str) -> str | None:
    """Why a same-site link is broken, or None when it resolves.

    Parameters
    ----------
    url : str
        The link's absolute URL as the browser resolved it (``a.href``).
    base : str
        The server's base URL, ``http://127.0.0.1:PORT/``.
    """
    parts = urllib.parse.urlsplit(url)
    rel = urllib.parse.unquote(parts.path).lstrip("/")
    if not url.startswith(base):
        return f"points outside the build's server ({url})"
    target = (HTML_DIR / rel).resolve()
    if target.is_dir():
        target = target / "index.html"
    if HTML_DIR not in target.parents or not target.is_file():
        return f"no file {rel or '/'} in the build"
    fragment = urllib.parse.unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in _parse(target).anchors:
        return f"no id {fragment!r} in {target.relative_to(HTML_DIR).as_posix()}"
    return None


# -------------------------------------------------------------------------- messages


def _fail(rendered: Rendered, what: str, lines: list[str]) -> None:
    """Fail with one message that names the page, the width and every offending element."""
    shown = "\n".join(f"  - {line}" for line in lines)
    shot = rendered.screenshot or "none saved (`make screenshots` saves one of every page)"
    pytest.fail(f"{rendered.label}: {what} ({len(lines)}):\n{shown}\n  screenshot: {shot}", pytrace=False)


def _px(x: float) -> str:
    return f"{x:.0f} px"


def _describe_problem(p: dict) -> str:
    """One clause per geometry problem reported by ``COLLECT``."""
    if p["kind"] == "box":
        verb = "clipped" if p["overflow"] in ("hidden", "clip") else "scrolls sideways"
        return (
            f"{verb} by {p['amount']:.0f} px in {p['box']} "
            f"(overflow-x: {p['overflow']}, {_px(p['visible'])} visible)"
        )
    return f"sticks out of the {_px(p['visible'])} article column by {p['amount']:.0f} px"


#: Marks a finding measured after opening the dropdowns (not in the screenshot).
_OPENED = " (hidden until its dropdown is opened; measured opened)"


def _element(entry: dict) -> str:
    where = f" [{entry['where']}]" if entry.get("where") else ""
    return f"{entry['element']}{where}"


# ----------------------------------------------------------------------------- tests


def test_console_clean(rendered):
    """No console error or uncaught exception, apart from the allow-listed toolchain messages."""

    def allowed(kind, text, source):
        return any(
            kind == k and text == t and (s is None or source.split("?")[0].endswith(s))
            for k, t, s in CONSOLE_ALLOW
        )

    def ours(kind, text, source):
        # The browser's own echo of a request this test aborted (it fails the outside check).
        return text.startswith("Failed to load resource") and any(
            source.startswith(u) for u in rendered.outside
        )

    bad = [
        f"{kind}: {text}" + (f" (from {source})" if source else "")
        for kind, text, source in rendered.console
        if kind in ("error", "assert", "pageerror")
        and not allowed(kind, text, source)
        and not ours(kind, text, source)
    ]
    print(f"{rendered.label}: measured {rendered.seconds:.1f} s after its navigation started")
    if bad:
        _fail(rendered, "console errors", bad)


def test_math_typeset(rendered):
    """MathJax typeset every formula; no raw TeX delimiter is left in the text."""
    data = rendered.data
    lines = [
        f"raw {' '.join(d['delimiters'])} in text of {d['element']} [{d['where']}]"
        f'{"" if d["shown"] else " (hidden until expanded)"}: "{d["text"]}"'
        for d in data["rawDelimiters"]
    ]
    lines += [f'raw TeX macro in text of {d["element"]}: "{d["text"]}"' for d in data.get("rawMacros", [])]
    lines += [f'{_element(u)} has no mjx-container (not typeset): "{u["text"]}"' for u in data["untypeset"]]
    lines += [
        f'MathJax error "{e["error"]}" in formula "{e["tex"]}" [{e["where"]}]' for e in data["mathErrors"]
    ]
    if lines:
        _fail(rendered, "math not typeset", lines)


def test_measured_at_its_width(rendered):
    """Every measurement of a page at a width was taken with the window at that width (the page
    as loaded and, at the first width, with its dropdowns opened): a check that the others check
    what they say."""
    widths = rendered.data["measuredWidths"]
    if any(w != rendered.width for w in widths):
        _fail(rendered, "measured at another width", [f"window {_px(w)} wide" for w in widths])


def test_nothing_wider_than_column(rendered):
    """Every formula, table and text output fits the reader's column: no sideways scrolling."""
    data = rendered.data
    lines = [
        f'{w["what"]} {_element(w)}{_OPENED if w.get("opened") else ""} "{w["text"]}" '
        f"({_px(w['width'])} wide): " + "; ".join(_describe_problem(p) for p in w["problems"])
        for w in data["wide"]
    ]
    page_width, viewport = data["pageScrollWidth"], data["viewport"]["width"]
    if page_width > viewport + 1:
        lines.append(
            f"the whole page scrolls sideways: it is {_px(page_width)} wide in a {_px(viewport)} window"
        )
    if lines:
        _fail(rendered, f"wider than the reader's {_px(data['column']['width'])} column", lines)


def test_figures(rendered):
    """Every visible figure loaded, has a size, and fits the column."""
    lines = []
    for img in rendered.data["images"]:
        reasons = []
        if not img["complete"] or img["naturalWidth"] == 0:
            reasons.append("did not load")
        if img["width"] == 0 or img["height"] == 0:
            reasons.append(f"rendered {img['width']:.0f} x {img['height']:.0f} px")
        reasons += [_describe_problem(p) for p in img["problems"]]
        lines.append(
            f"img {img['src']} {_element(img)}{_OPENED if img.get('opened') else ''} "
            f"({_px(img['width'])} wide, natural "
            f"{img['naturalWidth']} x {img['naturalHeight']}): " + "; ".join(reasons)
        )
    if lines:
        _fail(rendered, "figures", lines)


def test_links_resolve(rendered, server):
    """Every same-site link and anchor resolves; external links are listed, not followed."""
    broken: dict[str, list[str]] = {}
    external = set()
    target = _redirect_target(rendered.page)
    if target is not None:
        problem = _link_problem(server + target, server)
        if problem:
            broken[f"meta refresh to {target!r}: {problem}"] = ["the page's <head>"]
    for link in rendered.data["links"]:
        url = link["href"]
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme in ("mailto", "javascript", "tel", "data"):
            continue
        if not _is_local(url):
            external.add(url)
            continue
        problem = _link_problem(url, server)
        if problem:
            broken.setdefault(f"href={link['raw']!r}: {problem}", []).append(
                f'"{link["text"]}" [{link["where"]}]'
            )
    for url in sorted(external):
        print(f"external link (not followed): {url}")
    if broken:
        _fail(
            rendered,
            "broken links",
            [
                f"{key}; from {', '.join(texts[:3])}"
                + (f" and {len(texts) - 3} more" if len(texts) > 3 else "")
                for key, texts in broken.items()
            ],
        )


def test_no_outside_requests(rendered):
    """The page loads nothing from outside 127.0.0.1 (fonts, scripts, MathJax are all local)."""
    if rendered.outside:
        _fail(rendered, "requests leaving 127.0.0.1 (aborted)", sorted(set(rendered.outside)))


PLANTED = """<!doctype html><html><body><main><article class="bd-article" style="max-width: 700px">
<table style="width: 500px"><tr><td>fits at 1280 px, not at 390 px</td></tr></table>
<details><summary>Show</summary><table style="width: 900px"><tr><td>wide inside details</td></tr></table>
</details>
<div class="admonition dropdown"><button class="toggle-button" aria-expanded="false"
 onclick="this.setAttribute('aria-expanded', 'true'); this.nextElementSibling.style.display = 'block'">
Solution</button><div style="display: none"><table style="width: 600px"><tr><td>wide in a solution</td>
</tr></table></div></div>
</article></main></body></html>"""


def test_collect_measures_opened_dropdowns_at_both_widths(browser):
    """Planted: a table that fits at 1280 px only, a wider one in a closed ``<details>`` and one in
    a collapsed dropdown. At 1280 px only the hidden 900 px table is too wide, found after opening
    and marked opened; at 390 px all three are, and exactly the two hidden ones are marked opened
    (the dropdowns are open there: :func:`_collect` measures that width once)."""
    context = browser.new_context(device_scale_factor=1)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": VIEWPORTS[1280]})
        page.set_content(PLANTED)
        data = _collect(page)
    finally:
        context.close()
    found = {w: sorted((x["text"], x["opened"]) for x in data[w]["wide"]) for w in VIEWPORTS}
    assert found[1280] == [("wide inside details", True)], found
    assert found[390] == [
        ("fits at 1280 px, not at 390 px", False),
        ("wide in a solution", True),
        ("wide inside details", True),
    ], found
