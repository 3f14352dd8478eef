"""JavaScript that ``tests/test_jupyterlab.py`` evaluates inside JupyterLab.

Every snippet is an arrow function for Playwright's ``page.evaluate`` /
``page.wait_for_function``. The collectors return plain JSON and assert nothing themselves: the
Python side decides what is a failure and words the message.

Where things are in JupyterLab 4.6 with ``jupyterlab-myst`` 2.7 (as found by looking):

* the open notebook is the ``.jp-Notebook`` of the visible ``.jp-NotebookPanel``; each cell is a
  ``.jp-Cell`` whose ``data-windowed-list-index`` is its index in the notebook (all cells are in
  the DOM because the test turns windowing off);
* a rendered Markdown cell holds a ``.myst`` element (jupyterlab-myst's renderer); while a cell
  is not rendered yet it shows an empty ``.jp-RenderedText`` instead;
* a ``{prf:...}`` directive renders as ``aside.myst-proof`` (title in ``.myst-proof-title``), an
  ``{exercise}`` as ``aside.myst-exercise``, a ``{solution}`` with ``:class: dropdown`` as
  ``details.myst-exercise`` (title in ``.myst-exercise-title``); a ``:label:`` becomes the id;
* math is typeset by KaTeX: one ``.katex`` element per formula (``.katex-display`` around a
  display formula), ``.katex-error`` for a formula KaTeX could not parse;
* a code cell's prompt reads ``[ ]:`` before it runs, ``[*]:`` while it is queued or running and
  ``[n]:`` after; ``.jp-Notebook-ExecutionIndicator[data-status]`` is the kernel's status.
"""

from __future__ import annotations

# Resolves truthy once the notebook is open and every Markdown cell has been rendered by
# jupyterlab-myst (a .myst element with content), and the kernel has started.
RENDERED = """
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (!nb) return false;
  const md = [...nb.querySelectorAll('.jp-MarkdownCell')];
  if (!md.length) return false;
  return md.every((cell) => {
    const myst = cell.querySelector('.myst');
    return myst && myst.textContent.trim().length > 0;
  });
}
"""

# Collects, for every cell of the open notebook: its index and type and, for a Markdown cell,
# what jupyterlab-myst made of it: whether it is rendered, its text without code (to look for
# raw directive syntax), its formulas and KaTeX errors, and its directive boxes in document
# order (kind, id, title, formulas inside, whether it is a closed dropdown).
COLLECT = r"""
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const clip = (text, n) => {
    const t = (text || '').replace(/\s+/g, ' ').trim();
    return t.length > n ? t.slice(0, n - 1) + '…' : t;
  };
  // Top-level formulas only (KaTeX nests .katex-mathml/.katex-html inside .katex).
  const formulas = (el) => [...el.querySelectorAll('.katex')]
    .filter((k) => !k.parentElement.closest('.katex'));
  // Text a reader sees as prose: code blocks and inline code removed, formulas removed.
  const prose = (el) => {
    const copy = el.cloneNode(true);
    for (const x of copy.querySelectorAll('pre, code, .katex, .katex-error, .myst-code')) x.remove();
    return copy.textContent;
  };
  const cells = [...nb.querySelectorAll('.jp-Cell')].map((cell) => {
    const index = Number(cell.dataset.windowedListIndex);
    const type = cell.classList.contains('jp-MarkdownCell') ? 'markdown'
      : cell.classList.contains('jp-CodeCell') ? 'code' : 'raw';
    const out = { index, type };
    if (type === 'markdown') {
      const myst = cell.querySelector('.myst');
      out.rendered = !!myst && myst.textContent.trim().length > 0;
      out.text = myst ? prose(myst) : '';
      // Not those in links: a {ref} to a heading shows the heading's formulas, not in the source.
      out.formulas = myst ? formulas(myst).filter((k) => !k.closest('a')).length : 0;
      out.katexErrors = myst
        ? [...myst.querySelectorAll('.katex-error')].map((e) => clip(e.textContent, 120)) : [];
      out.boxes = myst ? [...myst.querySelectorAll(
        'aside.myst-proof, aside.myst-exercise, details.myst-exercise')].map((box) => {
          const title = box.querySelector('.myst-proof-title, .myst-exercise-title');
          const body = box.querySelector('.myst-proof-body, .myst-exercise-body');
          return {
            tag: box.tagName.toLowerCase(),
            kind: box.classList.contains('myst-proof') ? 'proof' : 'exercise',
            id: box.id || null,
            title: title ? clip(title.textContent, 200) : null,
            bodyFormulas: body ? formulas(body).length : 0,
            bodyText: body ? clip(prose(body), 80) : '',
            open: box.tagName === 'DETAILS' ? box.open : null,
          };
        }) : [];
      out.unresolvedCitations = myst
        ? myst.querySelectorAll('[title="Citation Not Found"]').length : 0;
    } else if (type === 'code') {
      const prompt = cell.querySelector('.jp-InputPrompt');
      out.prompt = prompt ? prompt.textContent.trim() : null;
      const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
      out.outputMimes = outputs.map((o) => o.dataset.mimeType || null);
      out.outputFormulas = outputs.reduce((n, o) => n + formulas(o).length, 0);
      out.outputKatexErrors = outputs.flatMap(
        (o) => [...o.querySelectorAll('.katex-error')].map((e) => clip(e.textContent, 120)));
    }
    return out;
  });
  return { cells, totalFormulas: formulas(nb).length };
}
"""

# The state of a run: the kernel's status and every code cell's prompt, and the text of every
# stderr output shown (JupyterLab shows an error and a stream to stderr this way).
RUN_STATE = """
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const indicator = document.querySelector(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map((p) => p.textContent.trim());
  const stderr = [...nb.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map((o) => o.textContent.slice(0, 400));
  return { status: indicator ? indicator.dataset.status : null, prompts, stderr };
}
"""

# Resolves truthy once a Run All has ended: the kernel is idle, no cell is queued or running
# ("[*]"), and either every code cell shows an execution count or a cell failed (an error
# output; JupyterLab then does not run the cells after it).
RUN_FINISHED = r"""
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const indicator = document.querySelector(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  if (!nb || !indicator || indicator.dataset.status !== 'idle') return false;
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map((p) => p.textContent.trim());
  if (prompts.some((p) => p.includes('*'))) return false;
  const failed = nb.querySelector(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  return prompts.every((p) => /^\[\d+\]:$/.test(p)) || !!failed;
}
"""

# True when every code cell's prompt is blank ("[ ]:"): the outputs of all cells were cleared.
ALL_CLEARED = r"""
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map((p) => p.textContent.trim());
  return prompts.length > 0 && prompts.every((p) => /^\[\s*\]:$/.test(p))
    && !nb.querySelector('.jp-CodeCell .jp-OutputArea-output');
}
"""

# True when the notebook's tab shows no unsaved changes.
SAVED = """
() => {
  const tab = document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
  return !!tab && !tab.classList.contains('jp-mod-dirty');
}
"""

# What jupyterlab-myst made of the roles in each Markdown cell (``test_roles_as_documented``):
# ``plain``: the text of every bare ``<span>`` (no attribute, no child element), which is how it
# shows a role it does not know (``{glue:text}`name:fmt``` shows ``name:fmt``); ``missing``: its
# warnings, a ``<span title="Citation Not Found">`` or ``"Cross Reference Not Found"`` holding the
# key; ``links``: every link, with whether a ``#id`` link's target is on the page; ``text``: the
# cell's text (to look for footnotes). For each code cell, its text as shown (figure captions).
ROLES = r"""
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const squash = (t) => (t || '').replace(/\s+/g, ' ').trim();
  return [...nb.querySelectorAll('.jp-Cell')].map((cell) => {
    const index = Number(cell.dataset.windowedListIndex);
    if (!cell.classList.contains('jp-MarkdownCell')) {
      return { index, code: true, text: squash(cell.textContent) };
    }
    const myst = cell.querySelector('.myst');
    if (!myst) return { index, plain: [], missing: [], links: [], text: '' };
    const plain = [...myst.querySelectorAll('span')]
      .filter((s) => s.attributes.length === 0 && s.children.length === 0)
      .map((s) => s.textContent);
    const missing = [...myst.querySelectorAll('span[title$="Not Found"]')]
      .map((s) => ({ title: s.title, text: squash(s.textContent) }));
    const links = [...myst.querySelectorAll('a[href]')].map((a) => {
      const href = a.getAttribute('href');
      return {
        href, text: squash(a.textContent),
        target: href.startsWith('#') ? !!document.getElementById(decodeURIComponent(href.slice(1))) : null,
      };
    });
    return { index, plain, missing, links, text: squash(myst.textContent) };
  });
}
"""
