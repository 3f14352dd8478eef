"""JavaScript that ``tests/test_browser.py`` evaluates inside each page of the built book.

Kept apart from the test module so that the JavaScript reads as JavaScript. Every snippet is an
arrow function for Playwright's ``page.evaluate`` / ``page.wait_for_function``; the collector
returns plain JSON (lists of dicts with numbers and strings) and asserts nothing itself: the
Python side decides what is a failure and words the message.

Geometry conventions used by ``COLLECT``: every rectangle comes from ``getBoundingClientRect()``
(CSS pixels, viewport coordinates, the page scrolled to its top-left corner). The reader's column
is the *content box* of ``article.bd-article`` (its border box less border and padding): the
column the text is set in. MathJax's assistive MathML (``mjx-assistive-mml``) is clipped
off-screen on purpose and is never measured; a formula is measured by the boxes MathJax draws
(the children of ``mjx-container`` other than the assistive MathML). A text output is measured by
its text (a DOM Range over each line, leading and trailing blanks excluded), so a ``pre`` whose
padding or trailing spaces scroll out of view, with every character visible, is not a failure.
"""

from __future__ import annotations

# Resolves truthy once MathJax's startup promise exists (or at once on a page without MathJax).
# MathJax reads ``window.MathJax`` as its configuration before it loads, so the object alone
# does not mean MathJax is there: ``startup.promise`` is created by the loaded MathJax.
MATHJAX_STARTED = """
() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)
"""

# Waits for the first typesetting pass, then for the web fonts (MathJax's and the theme's), so
# that every width measured afterwards is the final one. Reading a layout property first makes
# the browser lay out the typeset formulas, which is when it requests the fonts they use.
MATHJAX_AND_FONTS_DONE = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  document.body.getBoundingClientRect();
  await document.fonts.ready;
  return true;
}
"""

# Opens what a reader can open: dropdown admonitions collapsed by togglebutton (solutions,
# hidden cells: clicking their button is what the reader does) and every closed <details>
# (sphinx-design dropdowns, "Show code cell source"). Marks each box it opened with the attribute
# data-reader-opened (COLLECT's mode "all" tells findings inside such a box by it). Waits for the
# opening transitions to end. Returns how many were opened.
OPEN_ALL = """
async () => {
  let opened = 0;
  for (const button of document.querySelectorAll('button.toggle-button[aria-expanded="false"]')) {
    (button.closest('.toggle, .admonition.dropdown') || button.parentElement).dataset.readerOpened = '';
    button.click();
    opened += 1;
  }
  for (const details of document.querySelectorAll('details:not([open])')) {
    details.dataset.readerOpened = '';
    details.open = true;
    opened += 1;
  }
  // Let the clicks take effect, then wait for the transitions that open the boxes: every
  // animation that ends (not an endless spinner), at most 3 s.
  const later = (ms) => new Promise((done) => setTimeout(done, ms));
  await Promise.race([new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    later(200)]);
  const ending = document.getAnimations()
    .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.race([Promise.all(ending.map((a) => a.finished.catch(() => null))), later(3000)]);
  document.body.getBoundingClientRect();
  await document.fonts.ready;  // fonts of the formulas just shown
  return opened;
}
"""

# Collects everything the checks need, in one pass, as JSON. See the module docstring for the
# geometry conventions. The argument is {outputPre: CSS selector list of output <pre> elements,
# opened: false on the first pass (the page as loaded); true on the pass after OPEN_ALL, which
# measures only the elements the first pass skipped as hidden and leaves out the checks that
# already covered hidden content (math typesetting) or do not depend on it (links); or "all",
# after OPEN_ALL at another width: every check, every element shown, and each finding inside a
# box that OPEN_ALL opened carries opened: true}.
COLLECT = r"""
async ({ outputPre: outputPreSelector, opened }) => {
  // ---------------------------------------------------------------- helpers
  const main = document.querySelector('main') || document.body;
  const article = document.querySelector('article.bd-article')
    || document.querySelector('article') || main;

  // A short, human-readable name for an element: tag#id.class.class, plus where it is
  // (the nearest ancestor with an id, and the heading of the enclosing section).
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = [...el.classList].filter((c) => !/^(mjx-|CtxtMenu|MathJax$)/.test(c)).slice(0, 3);
    if (cls.length) s += '.' + cls.join('.');
    return s;
  };
  const where = (el) => {
    const parts = [];
    // Proofs, exercises and admonitions: their title ("Theorem 1 (…)") says where the reader is.
    const holder = el.parentElement
      && el.parentElement.closest('.admonition, .proof, aside, figure');
    const title = holder
      && holder.querySelector('.admonition-title, .proof-title, figcaption, .caption');
    if (title) parts.push('in "' + clip(title.textContent, 60) + '"');
    const withId = el.parentElement && el.parentElement.closest('[id]:not(section)');
    if (withId && !['main-content', 'searchbox'].includes(withId.id)) parts.push('in ' + name(withId));
    // The heading of the nearest enclosing section that has one.
    for (let sec = el.closest('section'); sec; sec = sec.parentElement.closest('section')) {
      const heading = sec.querySelector(':scope > h1, :scope > h2, :scope > h3, :scope > h4, '
        + ':scope > h5, :scope > h6');
      if (heading) {
        parts.push('under heading "' + clip(heading.textContent.replace(/#$/, ''), 70) + '"');
        break;
      }
    }
    return parts.join(', ');
  };
  const clip = (text, n) => {
    const t = (text || '').replace(/\s+/g, ' ').trim();
    return t.length > n ? t.slice(0, n - 1) + '…' : t;
  };

  // An element a reader can see: it has a layout box and is not hidden by `visibility`
  // (togglebutton collapses dropdown admonitions with height 0 + visibility: hidden; a closed
  // <details> or a display:none element has no box at all).
  const shown = (el) => el.getClientRects().length > 0
    && el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });

  // TeX source of each typeset formula, keyed by its mjx-container.
  const texOf = new Map();
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) {
      if (item.typesetRoot) {
        texOf.set(item.typesetRoot, { tex: item.math, display: item.display, item: item });
      }
    }
  }

  const box = (r) => ({ left: r.left, right: r.right, width: r.width, height: r.height });

  // The reader's column: content box of the article.
  const artRect = article.getBoundingClientRect();
  const artStyle = getComputedStyle(article);
  const column = {
    left: artRect.left + parseFloat(artStyle.borderLeftWidth) + parseFloat(artStyle.paddingLeft),
    right: artRect.right - parseFloat(artStyle.borderRightWidth) - parseFloat(artStyle.paddingRight),
  };
  column.width = column.right - column.left;

  // What the reader must see in full, for one element whose drawn extent is `ink`
  // ({left, right}, viewport coordinates). Walks from `start` up to the article and returns a
  // list of problems, each with the numbers:
  //  * "box": a box on the way (`start` itself included) scrolls or clips sideways (overflow-x
  //    auto/scroll/hidden/clip) and the ink sticks out of its visible (padding) box by more than
  //    1 px. This covers the element's own scrolling (a <pre> with overflow: auto, a display
  //    formula's mjx-container), the theme's scroll wrappers (.pst-scrollable-table-container,
  //    output areas) and boxes that clip (span.math, admonitions, proofs);
  //  * "column": the ink sticks out of the article's content box by more than 1 px.
  // Once a box scrolls or clips the ink, the boxes further out only see that box's visible part,
  // so the ink is cut to it before going on: each problem is reported where it happens.
  const problemsOf = (el, ink, start) => {
    const out = [];
    ink = { left: ink.left, right: ink.right };
    for (let a = start; a && a !== article && a !== document.body; a = a.parentElement) {
      const ov = getComputedStyle(a).overflowX;
      if (!['auto', 'scroll', 'hidden', 'clip'].includes(ov)) continue;
      const r = a.getBoundingClientRect();
      const visLeft = r.left + a.clientLeft;
      const visRight = visLeft + a.clientWidth;
      const amount = Math.max(ink.right - visRight, visLeft - ink.left);
      if (amount > 1) {
        out.push({ kind: 'box', box: a === el ? 'its own box' : name(a), overflow: ov,
          visible: a.clientWidth, amount: amount });
      }
      ink = { left: Math.max(ink.left, visLeft), right: Math.min(ink.right, visRight) };
    }
    const amount = Math.max(ink.right - column.right, column.left - ink.left);
    if (amount > 1) out.push({ kind: 'column', visible: column.width, amount: amount });
    return out;
  };

  // Extent of an element's text, whitespace at either end of each line excluded (a <pre>'s
  // padding, and the spaces that pad a line, may scroll out of view without hiding anything).
  const inkOfText = (el) => {
    let left = Infinity, right = -Infinity;
    const range = document.createRange();
    const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      let offset = 0;
      for (const line of node.data.split('\n')) {
        const first = line.search(/\S/);
        if (first >= 0) {
          const last = line.length - line.match(/\s*$/)[0].length;
          range.setStart(node, offset + first);
          range.setEnd(node, offset + last);
          const r = range.getBoundingClientRect();
          if (r.width > 0) { left = Math.min(left, r.left); right = Math.max(right, r.right); }
        }
        offset += line.length + 1;
      }
    }
    return left === Infinity ? null : { left: left, right: right, width: right - left };
  };

  // Extent of a formula: union of the boxes MathJax draws, without the assistive MathML.
  const inkOfMath = (container) => {
    let left = Infinity, right = -Infinity;
    for (const child of container.children) {
      if (child.tagName.toLowerCase() === 'mjx-assistive-mml') continue;
      for (const r of child.getClientRects()) {
        if (r.width === 0 && r.height === 0) continue;
        left = Math.min(left, r.left);
        right = Math.max(right, r.right);
      }
    }
    return left === Infinity ? null : { left: left, right: right, width: right - left };
  };

  // Elements skipped as hidden on the first pass; on the second pass only they are measured.
  if (opened === false) window.__readerCheckHidden = new Set();
  const hiddenBefore = window.__readerCheckHidden || new Set();
  const skip = (el) => {
    if (opened === true && !hiddenBefore.has(el)) return true;  // measured on the first pass
    if (!shown(el)) { hiddenBefore.add(el); result.counts.hidden += 1; return true; }
    return false;
  };

  // Mode "all": whether a finding is inside a box that OPEN_ALL opened (hidden as loaded).
  const inOpened = (el) => opened === 'all' && el.closest('[data-reader-opened]') !== null;

  const result = {
    url: location.href,
    column: column,
    viewport: { width: innerWidth, height: innerHeight },
    pageScrollWidth: document.documentElement.scrollWidth,
    counts: { math: 0, mathShown: 0, tables: 0, outputPre: 0, images: 0, hidden: 0 },
    rawDelimiters: [],
    untypeset: [],
    mathErrors: [],
    wide: [],
    images: [],
    links: [],
  };

  // ------------------------------------------------ (b) math typeset in full
  // Skipped on the pass after OPEN_ALL: the first pass looked at hidden content too.
  const checkMath = () => {
    // Raw TeX delimiters left in the text of <main>. Code is skipped (a delimiter in a code
    // listing or in a text output is code, not a formula), and so are MathJax's own nodes and
    // the .math elements (checked just below). Hidden text (collapsed dropdowns) is checked too:
    // a reader who opens it sees it.
    const skipText = 'pre, code, kbd, samp, script, style, template, noscript, textarea, '
      + 'mjx-container, .highlight, .math';
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const delimiter = /\\\(|\\\)|\\\[|\\\]|\$\$/g;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const found = [...node.data.matchAll(delimiter)];
      if (!found.length || node.parentElement.closest(skipText)) continue;
      const at = found[0].index;
      result.rawDelimiters.push({
        delimiters: [...new Set(found.map((m) => m[0]))],
        text: clip(node.data.slice(Math.max(0, at - 40), at + 60), 100),
        element: name(node.parentElement), where: where(node.parentElement),
        shown: shown(node.parentElement),
      });
    }
    // Every Sphinx math element (span.math inline, div.math display) holds an mjx-container.
    for (const el of document.querySelectorAll('.math')) {
      result.counts.math += 1;
      if (!el.querySelector('mjx-container')) {
        result.untypeset.push({ element: name(el), where: where(el), text: clip(el.textContent, 100) });
      }
    }
    // MathJax typesets TeX it cannot parse as an error box (mjx-merror, "Math input error"), and
    // a formula it cannot lay out as "Math output error" (mjx-container.mjx-output-error).
    for (const err of document.querySelectorAll('mjx-merror, mjx-container.mjx-output-error')) {
      const container = err.closest('mjx-container');
      const src = container && texOf.get(container);
      const message = err.getAttribute('data-mjx-error')
        || (err.querySelector('[data-mjx-error]') || err).getAttribute('data-mjx-error');
      result.mathErrors.push({ error: message || clip(err.textContent, 80),
        tex: clip(src ? src.tex : '', 100), where: where(err) });
    }
    // An undefined macro is no parse error: MathJax's noundefined extension draws its name in red
    // as text (an mtext with a mathcolor whose text starts with a backslash) in MathJax's internal
    // MathML tree. Any failure of this internal API yields no finding rather than a false one.
    for (const [container, src] of texOf) {
      const names = [];
      try {
        src.item.root.walkTree((node) => {
          if (node.isKind('mtext') && node.attributes.get('mathcolor')) {
            const text = node.childNodes.map((c) => (c.getText ? c.getText() : '')).join('');
            if (text.startsWith('\\')) names.push(text);
          }
        });
      } catch (e) { continue; }
      if (names.length) {
        result.mathErrors.push({ error: 'Undefined control sequence ' + names.join(' '),
          tex: clip(src.tex, 100), where: where(container) });
      }
    }
  };
  if (opened !== true) checkMath();

  // ------------------------------------------- (c) nothing wider than the column
  for (const container of article.querySelectorAll('mjx-container')) {
    if (skip(container)) continue;
    const ink = inkOfMath(container);
    if (!ink) continue;
    result.counts.mathShown += 1;
    const src = texOf.get(container) || { tex: '', display: container.getAttribute('display') === 'true' };
    const problems = problemsOf(container, ink, container);
    if (problems.length) {
      result.wide.push({ what: src.display ? 'display formula' : 'inline formula',
        opened: inOpened(container), element: name(container), where: where(container),
        text: clip(src.tex, 90), width: ink.width, problems: problems });
    }
  }
  for (const table of article.querySelectorAll('table')) {
    if (skip(table)) continue;
    result.counts.tables += 1;
    const ink = box(table.getBoundingClientRect());
    const problems = problemsOf(table, ink, table);
    if (problems.length) {
      const head = table.querySelector('tr');
      result.wide.push({ what: 'table', opened: inOpened(table), element: name(table),
        where: where(table), text: clip(head ? head.innerText : table.innerText, 90), width: ink.width,
        problems: problems });
    }
  }
  for (const pre of article.querySelectorAll(outputPreSelector)) {
    if (pre.closest('.cell_input')) continue;  // input code is checked elsewhere
    if (skip(pre)) continue;
    result.counts.outputPre += 1;
    const ink = inkOfText(pre);
    if (!ink) continue;
    const problems = problemsOf(pre, ink, pre);
    if (problems.length) {
      const longest = pre.textContent.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '');
      result.wide.push({ what: 'text output (pre)', opened: inOpened(pre), element: name(pre),
        where: where(pre), text: clip(longest, 90), width: ink.width, problems: problems });
    }
  }

  // ------------------------------------------------ (d) figures load and fit
  const images = [...article.querySelectorAll('img')];
  await Promise.all(images.map((img) => (img.complete ? null : new Promise((done) => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 5000);
  }))));
  for (const img of images) {
    if (skip(img)) continue;
    result.counts.images += 1;
    const r = img.getBoundingClientRect();
    const entry = { element: name(img), opened: inOpened(img), where: where(img),
      src: img.getAttribute('src'),
      alt: clip(img.getAttribute('alt'), 60), complete: img.complete,
      naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
      width: r.width, height: r.height, problems: problemsOf(img, box(r), img) };
    if (!img.complete || img.naturalWidth === 0 || r.width === 0 || r.height === 0
        || entry.problems.length) {
      result.images.push(entry);
    }
  }

  // ---------------------------------------------- (e) links, checked in Python
  for (const a of opened === true ? [] : document.querySelectorAll('a[href]')) {
    result.links.push({ href: a.href, raw: a.getAttribute('href'), text: clip(a.textContent, 50),
      where: where(a) });
  }
  return result;
}
"""
