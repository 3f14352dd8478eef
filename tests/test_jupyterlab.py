"""The chapters in a real client: JupyterLab with ``jupyterlab-myst``, driven in headless Chromium.

A JupyterLab server (``requirements-lab.txt``, installed by ``make lab-install``) is started on
127.0.0.1 at a free port with a token and no browser, configured by
``jupyterlab-config/jupyter_lab_config.py`` (what ``make lab`` uses: no news feed, no update
check, a read-only extension manager), on a temporary copy of the chapter notebooks: opening a
notebook rewrites its metadata, and the committed files are never touched (the last test checks
their bytes). Its configuration, data, runtime, settings and workspace directories are temporary
too, so nothing in the user's home directory is read or written, and notebook windowing is off
(``windowingMode: none``), so that every cell is in the DOM.

Chapter 01 (a fast one; ``AFTERMARKETS_LAB_CHAPTERS=all`` for every chapter, or a
comma-separated list of stems) is opened in its own tab, the way a reader opens it
(``/lab/tree/<chapter>``), and checked:

``test_directives_render``
    every Markdown cell was rendered by jupyterlab-myst, and each ``{prf:...}``, ``{exercise}``
    and ``{solution}`` directive in its source became a box, in order: a ``{prf:theorem}`` an
    ``aside.myst-proof`` titled "Theorem ...", with the directive's ``:label:`` as its id and its
    title argument in the header; a dropdown solution a closed ``<details>``. No raw directive
    syntax (```` ``` ````, ``:::``, ``{prf:``, ``:label:``) is left in the text;
``test_math_typeset``
    every formula of the source (``$...$``, ``$$...$$``; not those of footnotes, which
    jupyterlab-myst does not show) was typeset by KaTeX, formula for formula in each cell, with
    no KaTeX error, including the formulas inside the boxes;
``test_roles_as_documented``
    what jupyterlab-myst does NOT render is what book/run_it_yourself.md says: glued numbers show
    their names, citations and figure references are "Not Found", ``{doc}`` links go nowhere,
    footnote texts and figure captions are not shown (see its docstring);
``test_run_all_cells``
    Edit > Clear Outputs of All Cells, Run > Run All Cells, wait until the kernel is idle with
    every cell numbered, File > Save Notebook; then in the saved copy every non-empty code cell
    has execution count 1, 2, ..., k (all ran, top to bottom, in the fresh kernel), no cell has
    an error output (except one tagged ``raises-exception``), and every cell produced the same
    kinds of output as the committed notebook; on the page no error is shown, the formulas of
    the results tables are typeset, and the glued numbers still show their names;
``test_no_outside_requests``
    nothing the page requested left 127.0.0.1 (such requests are recorded and aborted), and no
    uncaught exception was thrown in the page.

Module-wide: ``test_server_stays_offline`` asks the server for its news and update check (both
empty: it fetched nothing) and its extension manager (read-only), and
``test_committed_notebooks_untouched`` checks the committed notebooks' bytes after everything.

Without JupyterLab and jupyterlab-myst in the Python that runs pytest (``make test`` installs
them), Chromium, or the ``playwright`` package, the tests are skipped with a message, unless
``AFTERMARKETS_REQUIRE_BROWSER=1`` (CI), when they fail. All tests carry the marker
``jupyterlab`` (deselect with ``-m "not jupyterlab"``). The server runs in its own process
group and is ended, with its kernels, in the fixture's teardown (also on Ctrl-C or SIGTERM).
With ``AFTERMARKETS_SCREENSHOTS=1`` (``make screenshots``), screenshots of the chapter as opened
and after its run go to ``_build/screenshots/jupyterlab-*.png`` (``$AFTERMARKETS_SCREENSHOT_DIR``
overrides); a failure to render or to finish the run always saves one, named in the message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_tools import SCREENSHOTS, unavailable
from jupyterlab_js import ALL_CLEARED, COLLECT, RENDERED, ROLES, RUN_FINISHED, RUN_STATE, SAVED
from test_browser import CHROMIUM_ARGS, NOT_LOCAL, _is_local

pytestmark = pytest.mark.jupyterlab

REPO = Path(__file__).resolve().parent.parent
BOOK = REPO / "book"
CONFIG = REPO / "jupyterlab-config" / "jupyter_lab_config.py"
ALL_CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
SCREENSHOT_DIR = Path(os.environ.get("AFTERMARKETS_SCREENSHOT_DIR") or REPO / "_build" / "screenshots")

#: The chapters opened and run: chapter 01 by default (it runs in seconds; chapters 02 and 07 take
#: about a minute each in the kernel), ``AFTERMARKETS_LAB_CHAPTERS=all`` for every chapter, or a
#: comma-separated list of stems (``01_model,03_smooth_auctions``).
_SELECTED = os.environ.get("AFTERMARKETS_LAB_CHAPTERS", "01_model").strip()
CHAPTERS = (
    ALL_CHAPTERS
    if _SELECTED == "all"
    else [
        BOOK / f"{name.strip().removesuffix('.ipynb')}.ipynb" for name in _SELECTED.split(",") if name.strip()
    ]
)
_UNKNOWN = [p.name for p in CHAPTERS if p not in ALL_CHAPTERS]
if _UNKNOWN:
    raise ValueError(
        f"AFTERMARKETS_LAB_CHAPTERS names no chapter: {_UNKNOWN}; chapters: {[p.stem for p in ALL_CHAPTERS]}"
    )
#: Starting the server, opening JupyterLab, rendering a chapter (seconds). Generous: the
#: machine may be busy; a healthy run takes a fraction of these.
START_TIMEOUT_S = 180
OPEN_TIMEOUT_MS = 180_000
#: Running every cell of one chapter (chapter 01 takes about 10 s, 02 and 07 about a minute).
RUN_TIMEOUT_MS = 900_000

#: Directive openers in MyST Markdown: ```{name} args or :::{name} args, with the fence length.
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z][\w:-]*)\}[ \t]*(?P<arg>[^\n]*)$", re.M)
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>[^\n]*)$")
#: Raw MyST syntax that must not be left in rendered prose.
RAW = ("```", ":::{", "{prf:", "{exercise}", "{solution}", ":label:", ":class:", ":nonumber:")


# ------------------------------------------------------------------ the notebooks' sources


@dataclasses.dataclass
class Directive:
    """One directive opener in a Markdown cell's source."""

    name: str  # "prf:theorem", "exercise", "solution"
    arg: str
    options: dict[str, str]

    @property
    def label(self) -> str | None:
        return self.options.get("label")

    @property
    def kind(self) -> str:
        """What the title says: "Theorem" for prf:theorem, "Exercise", "Solution"."""
        return self.name.removeprefix("prf:").capitalize()


BOXES = re.compile(r"^(prf:[a-z]+|exercise|solution)$")


FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})(?P<rest>.*)$")
#: Directives whose content is code, not Markdown.
CODE_DIRECTIVES = re.compile(r"^\{(code|code-block|code-cell|sourcecode|literalinclude)\}")


def _strip_code(source: str, inline: bool = False) -> str:
    """A Markdown cell's prose: without code blocks, inline code (kept if ``inline``) and directive fences.

    Fences nest: a directive (```` ```{prf:proof} ````, ``````{solution}``) holds Markdown and
    may hold code blocks; a code block (```` ```python ````) holds code until a closing fence of
    the same character, at least as long. A directive's title argument is kept (it may hold
    math); its fence lines are not.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open fences: (fence, holds code)
    for line in source.splitlines():
        m = FENCE.match(line.strip())
        if stack and stack[-1][1]:  # inside code: only its closing fence matters
            fence = stack[-1][0]
            if m and m["fence"][0] == fence[0] and len(m["fence"]) >= len(fence) and not m["rest"].strip():
                stack.pop()
            continue
        if not m:
            out.append(line)
            continue
        fence, rest = m["fence"], m["rest"].strip()
        if not rest and stack and stack[-1][0][0] == fence[0] and len(fence) >= len(stack[-1][0]):
            stack.pop()  # the end of a directive
        elif rest.startswith("{") and not CODE_DIRECTIVES.match(rest):
            stack.append((fence, False))
            out.append(rest.partition("}")[2])  # the directive's argument
        else:
            stack.append((fence, True))
    text = "\n".join(out)
    return text if inline else re.sub(r"`[^`\n]+`", "", text)


def _directives(source: str) -> list[Directive]:
    """The box directives (prf, exercise, solution) of a Markdown cell, in order."""
    found = []
    lines = source.splitlines()
    for i, line in enumerate(lines):
        m = DIRECTIVE.match(line)
        if not m or not BOXES.match(m.group("name")):
            continue
        options = {}
        for opt in lines[i + 1 :]:
            o = OPTION.match(opt)
            if not o:
                break
            options[o.group("key")] = o.group("value").strip()
        found.append(Directive(m.group("name"), m.group("arg").strip(), options))
    return found


#: A role in MyST Markdown: {name}`body`.
ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<body>[^`\n]+)`")
#: The labels a Markdown cell defines: a directive's ``:label:`` and a ``(label)=`` target.
LABEL = re.compile(r"^(?::label:[ \t]*(?P<option>\S+)|\((?P<target>[^)\s]+)\)=)[ \t]*$", re.M)


#: A footnote definition: ``[^name]: text``, continued by indented lines.
FOOTNOTE = re.compile(r"^\[\^(?P<name>[^\]]+)\]:[ \t]*(?P<text>.*(?:\n(?:[ \t]+\S.*|[ \t]*)$)*)", re.M)


def _footnotes(source: str) -> tuple[str, dict[str, str]]:
    """A Markdown cell's source without its footnote definitions, and those definitions.

    jupyterlab-myst 2.7 shows a footnote's marker (``[1]``) but not its text: the definitions
    are not on the page, so their formulas and roles are not expected there.
    """
    notes = {m["name"]: m["text"].strip() for m in FOOTNOTE.finditer(source)}
    return FOOTNOTE.sub("", source), notes


def _same(text: str) -> str:
    """Text as compared with the page: typographic quotes made plain (MyST's typographer)."""
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))


def _roles(source: str) -> list[tuple[str, str]]:
    """The roles of a Markdown cell's prose, (name, body), in order (code blocks left out)."""
    return [(m["name"], m["body"]) for m in ROLE.finditer(_strip_code(source, inline=True))]


def _target(body: str) -> tuple[str | None, str]:
    """A reference role's explicit title (``title <label>``) and its label."""
    m = re.fullmatch(r"(?P<title>.*?)\s*<(?P<label>[^<>]+)>", body.strip())
    return (m["title"], m["label"]) if m else (None, body.strip())


def _formulas(source: str) -> int:
    """How many formulas a Markdown cell holds: ``$$...$$`` blocks, then ``$...$`` spans."""
    text = _strip_code(source)
    display = re.findall(r"\$\$.+?\$\$", text, re.S)
    text = re.sub(r"\$\$.+?\$\$", "", text, flags=re.S)
    # Inline math may run over a line break, not over a blank line.
    inline = [m for m in re.findall(r"(?<![\\$])\$(?!\s)[^$]+?(?<![\s\\])\$(?!\d)", text) if "\n\n" not in m]
    return len(display) + len(inline)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _output_kinds(cell: dict) -> list[str]:
    """What a code cell's outputs are: "stream:stdout", "display_data:image/png+text/plain", ..."""
    kinds = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            kinds.append(f"stream:{out['name']}")
        elif out["output_type"] == "error":
            kinds.append(f"error:{out.get('ename')}")
        else:
            kinds.append(f"{out['output_type']}:{'+'.join(sorted(out.get('data', {})))}")
    return kinds


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def committed_hashes() -> dict[str, str]:
    """SHA-256 of every committed notebook, taken before JupyterLab starts."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(BOOK.glob("*.ipynb"))}


@pytest.fixture(scope="module")
def jupyterlab_installed() -> None:
    """Skip/fail unless JupyterLab and jupyterlab-myst are importable in this Python."""
    missing = [name for name in ("jupyterlab", "jupyterlab_myst") if importlib.util.find_spec(name) is None]
    if missing:
        unavailable(
            f"{' and '.join(missing)} not installed in {sys.prefix}: run `make lab-install` "
            "(installs the pinned requirements-lab.txt into .venv)"
        )


@dataclasses.dataclass
class Lab:
    """A running JupyterLab server."""

    url: str  # http://127.0.0.1:PORT/
    token: str
    root: Path  # the temporary copy of the notebooks
    log: Path

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def api(self, path: str):
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode())


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(jupyterlab_installed, committed_hashes, tmp_path_factory):
    """Start JupyterLab on a temporary copy of the chapters; stop it (and its kernels) after.

    The server runs in its own process group, so that its kernels can be ended with it.
    """
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "book"
    root.mkdir()
    for path in CHAPTERS:
        shutil.copy2(path, root / path.name)
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython", "settings", "workspaces")}
    for d in dirs.values():
        d.mkdir()
    # Windowing off: every cell is rendered into the DOM, not only those in view.
    tracker = dirs["settings"] / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))

    token = hashlib.sha256(os.urandom(32)).hexdigest()[:32]
    port = _free_port()
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.pop("JUPYTER_PORT", None)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--config={CONFIG}",
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI runs as root
    log = tmp / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Lab(f"http://127.0.0.1:{port}/", token, root, log)
    # A SIGTERM to pytest (a CI timeout) would end it without this teardown and leave the server
    # running: turn it into a KeyboardInterrupt, which pytest ends the session with, tearing down.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {proc.returncode}:\n{server.tail()}", pytrace=False)
            with contextlib.suppress(OSError):
                if "started" in server.api("api/status"):
                    break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"JupyterLab did not answer in {START_TIMEOUT_S} s:\n{server.tail()}", pytrace=False
                )
            time.sleep(0.5)
        yield server
    finally:
        # SIGTERM: the server shuts its kernels down and exits; then end whatever is left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="module")
def browser(playwright_api, chromium_path):
    """One headless Chromium for the module, launched as ``tests/test_browser.py`` launches it."""
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclasses.dataclass
class Opened:
    """One chapter open in JupyterLab, in its own browser context."""

    chapter: Path
    page: object
    data: dict  # COLLECT, as opened
    outside: list[str]
    page_errors: list[str]
    seconds: float
    ran: dict | None = None  # filled by test_run_all_cells

    @property
    def name(self) -> str:
        return self.chapter.name


def _screenshot(page, name: str) -> Path:
    path = SCREENSHOT_DIR / f"jupyterlab-{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


@pytest.fixture(scope="module", params=CHAPTERS, ids=[p.stem for p in CHAPTERS])
def opened(request, lab, browser):
    """Open one chapter in JupyterLab (a fresh browser context), wait until it is rendered.

    Every request leaving 127.0.0.1 is recorded and aborted; uncaught exceptions are recorded.
    The context stays open for the chapter's tests, so that ``test_run_all_cells`` runs the
    cells of the page the other tests looked at.
    """
    chapter = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    outside: list[str] = []
    page_errors: list[str] = []

    def route(route):
        if _is_local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route(NOT_LOCAL, route)
    page = context.new_page()
    page.set_default_timeout(OPEN_TIMEOUT_MS)
    page.on("pageerror", lambda e: page_errors.append(e.message or str(e)))
    started = time.monotonic()
    try:
        # A workspace of its own per chapter, reset: only this notebook is open.
        page.goto(f"{lab.url}lab/workspaces/{chapter.stem}/tree/{chapter.name}?reset&token={lab.token}")
        try:
            page.wait_for_function(RENDERED, polling=250)
        except Exception as exc:
            shot = _screenshot(page, f"{chapter.stem}-not-rendered")
            pytest.fail(
                f"{chapter.name}: not rendered in JupyterLab within {OPEN_TIMEOUT_MS // 1000} s ({exc}); "
                f"screenshot {shot}\nserver log:\n{lab.tail()}",
                pytrace=False,
            )
        # The numbering and cross-references are filled in by a second pass over the notebook.
        page.wait_for_timeout(1000)
        data = page.evaluate(COLLECT)
        if SCREENSHOTS:  # make screenshots
            _screenshot(page, chapter.stem)
        yield Opened(chapter, page, data, outside, page_errors, time.monotonic() - started)
    finally:
        context.close()


def _fail(name: str, what: str, lines: list[str]) -> None:
    shown = "\n".join(f"  - {line}" for line in lines)
    pytest.fail(f"{name}: {what} ({len(lines)}):\n{shown}", pytrace=False)


def _markdown_cells(opened: Opened) -> list[tuple[int, str, dict | None]]:
    """(index, source, what the page shows) for every Markdown cell of the chapter."""
    shown = {c["index"]: c for c in opened.data["cells"]}
    return [
        (i, _source(cell), shown.get(i))
        for i, cell in enumerate(_cells(opened.chapter))
        if cell["cell_type"] == "markdown"
    ]


# --------------------------------------------------------------------------------- tests


def test_server_stays_offline(lab):
    """The server fetched no news and checked for no update, and cannot install extensions."""
    assert lab.api("lab/api/news") == {"news": []}
    assert lab.api("lab/api/update") == {"notification": None}
    log = lab.log.read_text(encoding="utf-8", errors="replace")
    assert "Extension Manager is 'readonly'" in log, lab.tail()


def test_directives_render(opened):
    """Every prf box, exercise and solution of the source is a rendered box, in order."""
    lines = []
    counts: dict[str, int] = {}
    for index, source, shown in _markdown_cells(opened):
        if shown is None or not shown["rendered"]:
            lines.append(f"cell {index}: not rendered by jupyterlab-myst: {source[:80]!r}")
            continue
        expected = _directives(source)
        boxes = shown["boxes"]
        if len(boxes) != len(expected):
            lines.append(
                f"cell {index}: {len(expected)} directives in the source "
                f"({', '.join(d.name for d in expected)}) but {len(boxes)} boxes on the page "
                f"({', '.join(str(b['title']) for b in boxes)})"
            )
            continue
        for directive, box in zip(expected, boxes):
            counts[directive.name] = counts.get(directive.name, 0) + 1
            where = f"cell {index}, {{{directive.name}}} {directive.arg!r}"
            title = box["title"] or ""
            want_class = "proof" if directive.name.startswith("prf:") else "exercise"
            if box["kind"] != want_class:
                lines.append(f"{where}: rendered as a myst-{box['kind']} box, not myst-{want_class}")
            if not title.startswith(directive.kind):
                lines.append(f"{where}: box title {title!r} does not start with {directive.kind!r}")
            if directive.label and box["id"] != directive.label:
                lines.append(f"{where}: box id {box['id']!r}, expected the label {directive.label!r}")
            plain = directive.arg and not re.search(r"[$`{\\*_]", directive.arg)
            if plain and directive.name != "solution" and directive.arg not in _same(title):
                lines.append(f"{where}: box title {title!r} does not show the title argument")
            if "dropdown" in directive.options.get("class", "") and not (
                box["tag"] == "details" and box["open"] is False
            ):
                lines.append(f"{where}: a dropdown, but shown as an open <{box['tag']}>")
            if not box["bodyText"] and not box["bodyFormulas"]:
                lines.append(f"{where}: the box is empty")
        raw = [token for token in RAW if token in shown["text"]]
        if raw:
            lines.append(f"cell {index}: raw MyST syntax {raw} in the rendered text")
    if lines:
        _fail(opened.name, "directives not rendered as boxes", lines)
    print(f"{opened.name}: opened and rendered in {opened.seconds:.1f} s; boxes: {counts}")


def test_math_typeset(opened):
    """Each cell's formulas are typeset by KaTeX, formula for formula, without errors."""
    lines = []
    total = 0
    for index, source, shown in _markdown_cells(opened):
        if shown is None or not shown["rendered"]:
            continue  # reported by test_directives_render
        expected = _formulas(_footnotes(source)[0])
        total += expected
        if shown["formulas"] != expected:
            lines.append(
                f"cell {index}: {expected} formulas in the source, {shown['formulas']} typeset: "
                f"{source[:80]!r}"
            )
        lines += [f"cell {index}: KaTeX error {err!r}" for err in shown["katexErrors"]]
        for box in shown["boxes"]:
            directive_math = box["title"] and "$" in box["title"]
            if directive_math:
                lines.append(f"cell {index}: raw $ in the title of {box['title']!r}")
    boxes = [b for _, _, s in _markdown_cells(opened) if s for b in s["boxes"]]
    if boxes and not any(b["bodyFormulas"] for b in boxes):
        lines.append("no formula typeset inside any box")
    if total == 0:
        lines.append("the chapter's Markdown has no formula: the check would be empty")
    if lines:
        _fail(opened.name, "math not typeset", lines)
    print(f"{opened.name}: {total} formulas in the Markdown, all typeset by KaTeX")


#: Roles jupyterlab-myst does not know: it shows their body as plain text in a bare <span>.
PLAIN_ROLES = re.compile(r"^(glue(:\w+)?|bdg(-\w+)*)$")


def test_roles_as_documented(opened):
    """What jupyterlab-myst makes of the book's roles is what *Run it yourself* says it is.

    Rendered: ``{ref}`` and ``{prf:ref}`` to a label of the same notebook are links to it (to a
    label of another notebook: "Cross Reference Not Found", or, given a title, a link to ``#``).
    Not rendered, and stated on the page as such: ``{glue:text}`name:fmt``` shows the text
    ``name:fmt`` (jupyterlab-myst has no glue; test_run_all_cells checks that running the cells
    does not change that), and a ``{bdg-...}`` badge its plain text; ``{cite}`` is "Citation
    Not Found" and ``{numref}`` to a figure "Cross Reference Not Found", both showing the key;
    ``{doc}`` is a link to ``/files/<name>``, a file that does not exist (the notebook is
    ``<name>.ipynb``); a figure's caption (``mystnb.figure.caption`` metadata) is not shown; a
    footnote shows its marker, not its text (the definition is not on the page, nor its roles
    and formulas). If jupyterlab-myst starts rendering any of these, this test fails: update
    the table on book/run_it_yourself.md.
    """
    roles = opened.page.evaluate(ROLES)
    shown = {c["index"]: c for c in roles}
    cells = _cells(opened.chapter)
    labels = {
        m["option"] or m["target"]
        for c in cells
        if c["cell_type"] == "markdown"
        for m in LABEL.finditer(_source(c))
    }
    lines: list[str] = []
    counts: dict[str, int] = {}
    for index, cell in enumerate(cells):
        page = shown.get(index)
        if cell["cell_type"] == "code":
            caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption")
            if caption and page and caption.strip()[:40] in page["text"]:
                lines.append(f"cell {index}: the figure caption is shown: {caption[:60]!r}")
            continue
        if cell["cell_type"] != "markdown" or page is None or page.get("code"):
            continue
        plain = list(page["plain"])
        missing = [(m["title"], m["text"]) for m in page["missing"]]
        links = list(page["links"])
        body_source, notes = _footnotes(_source(cell))
        for name, body in _roles(body_source):
            where = f"cell {index}, {{{name}}}`{body}`"
            title, label = _target(body)
            if PLAIN_ROLES.match(name):
                kind = "glue" if name.startswith("glue") else "bdg"
                if body in plain:
                    plain.remove(body)
                else:
                    lines.append(f"{where}: not shown as the plain text {body!r}")
            elif name == "cite":
                kind = "cite"
                for key in (k.strip() for k in body.split(",")):
                    if ("Citation Not Found", key) in missing:
                        missing.remove(("Citation Not Found", key))
                    else:
                        lines.append(f"{where}: {key!r} not shown as 'Citation Not Found'")
            elif name == "numref" or (name in ("ref", "prf:ref") and label not in labels):
                kind = f"{name} elsewhere" if name != "numref" else "numref"
                dead = next((a for a in links if a["href"] == "#" and title and a["text"] == title), None)
                if ("Cross Reference Not Found", label) in missing:
                    missing.remove(("Cross Reference Not Found", label))
                elif name != "numref" and dead is not None:
                    links.remove(dead)  # with a title: a link to "#", which goes nowhere
                else:
                    shown_as = [a for a in links if a["text"] == (title or label)]
                    lines.append(
                        f"{where}: not 'Cross Reference Not Found' {label!r}; links so named: {shown_as}"
                    )
            elif name in ("ref", "prf:ref"):
                kind = name
                link = next((a for a in links if a["href"] == f"#{label}"), None)
                if link is None:
                    lines.append(f"{where}: no link to #{label}")
                    continue
                links.remove(link)
                if not link["target"]:
                    lines.append(f"{where}: the link's target #{label} is not on the page")
                if title and link["text"] != title:
                    lines.append(f"{where}: link text {link['text']!r}, expected {title!r}")
            elif name == "doc":
                kind = "doc"
                link = next((a for a in links if a["text"] == (title or label)), None)
                path = link and link["href"].split("?")[0]
                if path is None or not path.endswith(f"/files/{label}"):
                    lines.append(f"{where}: expected a link to /files/{label}, got {path!r}")
                else:
                    links.remove(link)
            else:
                continue
            counts[kind] = counts.get(kind, 0) + 1
        for name, note in notes.items():
            prose = re.split(r"\$[^$]*\$|\{[\w:-]+\}`[^`]*`|`[^`]*`|\n", note)
            fragment = max((part.strip() for part in prose), key=len)
            if len(fragment) >= 12 and " ".join(_same(fragment).split()) in _same(page["text"]):
                lines.append(f"cell {index}: the text of footnote [^{name}] is shown: {fragment[:60]!r}")
            counts["footnote"] = counts.get("footnote", 0) + 1
    if lines:
        _fail(opened.name, "roles not rendered as book/run_it_yourself.md states", lines)
    print(f"{opened.name}: roles as documented: {counts}")


def _menu(page, menu: str, item: str) -> None:
    """Click a main-menu item, as a reader does: menu bar, then the item."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def test_run_all_cells(opened, lab):
    """Clear, Run All Cells, save: all cells ran in order, no error, same kinds of output."""
    stem = opened.chapter.stem
    page = opened.page
    started = time.monotonic()
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})  # focus the notebook
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(ALL_CLEARED, polling=250)
    _menu(page, "Run", "Run All Cells")
    try:
        page.wait_for_function(RUN_FINISHED, polling=500, timeout=RUN_TIMEOUT_MS)
    except Exception as exc:
        state = page.evaluate(RUN_STATE)
        shot = _screenshot(page, f"{stem}-run-timeout")
        pytest.fail(
            f"{opened.name}: Run All Cells did not finish in {RUN_TIMEOUT_MS // 1000} s ({exc}); "
            f"kernel {state['status']}, prompts {state['prompts']}; screenshot {shot}\n"
            f"server log:\n{lab.tail()}",
            pytrace=False,
        )
    seconds = time.monotonic() - started
    _menu(page, "File", "Save Notebook")
    page.wait_for_function(SAVED, polling=250)
    after = page.evaluate(COLLECT)
    plain_after = {c["index"]: c["plain"] for c in page.evaluate(ROLES) if not c.get("code")}
    if SCREENSHOTS:
        _screenshot(page, f"{stem}-after-run")

    saved = _cells(lab.root / opened.name)
    committed = _cells(opened.chapter)
    lines = []
    if len(saved) != len(committed):
        lines.append(f"the saved notebook has {len(saved)} cells, the committed one {len(committed)}")
    code = [(i, c) for i, c in enumerate(saved) if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for _, c in code]
    if counts != list(range(1, len(code) + 1)):
        lines.append(f"execution counts {counts}, not 1..{len(code)}: not every cell ran, in order")
    for i, cell in code:
        tags = cell.get("metadata", {}).get("tags", [])
        head = _source(cell).strip().splitlines()[0][:70]
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and "raises-exception" not in tags:
                trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out.get("traceback", [])[-3:]))
                lines.append(f"cell {i} ({head!r}): {out['ename']}: {out['evalue']}\n{trace}")
        if i < len(committed) and _output_kinds(cell) != _output_kinds(committed[i]):
            lines.append(
                f"cell {i} ({head!r}): outputs {_output_kinds(cell)}, committed {_output_kinds(committed[i])}"
            )
    shown_code = [c for c in after["cells"] if c["type"] == "code"]
    for c in shown_code:
        lines += [f"cell {c['index']}: KaTeX error in an output: {e!r}" for e in c["outputKatexErrors"]]
        if "application/vnd.jupyter.stderr" in c["outputMimes"]:
            lines.append(f"cell {c['index']}: shows an error or stderr output")
    markdown_outputs = [
        i
        for i, c in code
        for o in c.get("outputs", [])
        if "$" in "".join(o.get("data", {}).get("text/markdown", ""))
    ]
    typeset = {c["index"] for c in shown_code if c["outputFormulas"]}
    missing = sorted(set(markdown_outputs) - typeset)
    if missing:
        lines.append(f"cells {missing}: Markdown outputs with formulas, none typeset")
    # The glue calls have run, and the prose still shows the names, not the numbers.
    glued = [
        (i, body)
        for i, cell in enumerate(committed)
        if cell["cell_type"] == "markdown"
        for name, body in _roles(_footnotes(_source(cell))[0])
        if name.startswith("glue")
    ]
    filled = [f"cell {i}: {{glue}}`{body}`" for i, body in glued if body not in plain_after.get(i, [])]
    if filled:
        lines.append(
            f"{len(filled)} of {len(glued)} glued numbers no longer show their name after the run "
            f"(does jupyterlab-myst render glue now? update book/run_it_yourself.md): {filled[:5]}"
        )
    opened.ran = {"seconds": seconds}
    if lines:
        _fail(opened.name, "Run All Cells in JupyterLab", lines)
    print(
        f"{opened.name}: Run All Cells: {len(code)} code cells in {seconds:.1f} s, no error; "
        f"{len(typeset)} cells' outputs show typeset formulas; the prose still shows the names of "
        f"its {len(glued)} glued numbers"
    )


def test_no_outside_requests(opened):
    """The page loaded nothing from outside 127.0.0.1 and threw no uncaught exception."""
    lines = [f"request leaving 127.0.0.1 (aborted): {url}" for url in sorted(set(opened.outside))]
    lines += [f"uncaught exception: {message}" for message in opened.page_errors]
    if lines:
        _fail(opened.name, "outside requests or page errors", lines)


def test_committed_notebooks_untouched(lab, committed_hashes):
    """The committed notebooks are byte for byte what they were before JupyterLab ran."""
    now = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(BOOK.glob("*.ipynb"))}
    assert now == committed_hashes
