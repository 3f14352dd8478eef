"""The "Teaching with this book" page (book/teaching.md, label ``teaching``) and the chapters' lecture
paths it gathers (scripts/lecture_paths.py -> book/_generated/lecture_paths.md; labels
``teaching-summary``, ``teaching-paths``, ``teaching-plan``, ``teaching-live``).

* every chapter has a lecture path whose core fits the class it names and at most 90 minutes;
* every section it links to exists in that chapter; the generated page is current;
* the two-lecture plan takes parts of every chapter and each lecture fits 90 minutes;
* every number on the page is glued from a chapter (no digit outside glue, math, code or
  labels), every glued name exists in the chapter it names, the parameters stated next to a glued
  number are the chapter's own, the qualitative claims made of the glued numbers hold, and the code
  the page tells students to change is the chapter's (or the library's) code.
"""

from __future__ import annotations

import re
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import booktools  # noqa: E402
import lecture_paths  # noqa: E402

PAGE = ROOT / "book" / "teaching.md"
CHAPTERS = booktools.chapters()


def _markdown(path: Path) -> str:
    return "\n".join(
        c["source"] for c in booktools.read_notebook(path)["cells"] if c["cell_type"] == "markdown"
    )


def _code(path: Path) -> str:
    return "\n".join(c["source"] for c in booktools.read_notebook(path)["cells"] if c["cell_type"] == "code")


def _glued(stem: str, name: str) -> float:
    values = booktools.glued_values(booktools.read_notebook(ROOT / "book" / f"{stem}.ipynb"))
    return float(Fraction(booktools.format_glue(values[name], None)))


def test_there_are_seven_chapters():
    assert len(CHAPTERS) == 7


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_core_fits_a_class(path):
    """Each chapter's core sums to at most the class it names, and at most 90 minutes."""
    lp = lecture_paths.read(path)
    assert lp.minutes("core") > 0 and all(p.minutes > 0 for p in lp.parts)
    assert lp.minutes("core") <= lp.class_minutes <= lecture_paths.LECTURE_LIMIT, (
        f"{path.name}: core {lp.minutes('core')} min in a {lp.class_minutes}-minute class"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_lecture_path_links_resolve(path):
    """Every section a lecture-path row links to is a label of that chapter."""
    lp = lecture_paths.read(path)
    labels = set(re.findall(r"^\(([\w-]+)\)=\s*$", _markdown(path), flags=re.M))
    linked = [label for part in lp.parts for label in part.labels]
    assert linked, f"{path.name}: the lecture path links no section"
    assert not set(linked) - labels, f"{path.name}: unknown sections {set(linked) - labels}"


def test_malformed_lecture_path_is_refused(tmp_path):
    nb = booktools.read_notebook(CHAPTERS[0])
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = cell["source"].replace("| core |", "| maybe |")
    import json

    bad = tmp_path / "01_bad.ipynb"
    bad.write_text(json.dumps(nb))
    with pytest.raises(ValueError, match="neither core nor optional"):
        lecture_paths.read(bad)


def test_two_lecture_plan():
    """Two lectures, each at most 90 minutes, together touching every chapter."""
    plan = lecture_paths.plan()
    assert len(plan) == 2
    for title, parts in plan:
        total = sum(part.minutes for _, part in parts)
        assert 0 < total <= lecture_paths.LECTURE_LIMIT, f"{title}: {total} minutes"
    assert {path.stem for _, parts in plan for path, _ in parts} == {p.stem for p in CHAPTERS}


def test_generated_page_is_current():
    """book/_generated/lecture_paths.md is what the chapters' tables give (make book writes it)."""
    if not lecture_paths.OUT.is_file():
        pytest.fail(f"{lecture_paths.OUT} missing: run `make book`", pytrace=False)
    assert lecture_paths.OUT.read_text() == lecture_paths.render()


def test_page_includes_the_generated_part_and_is_in_the_toc():
    text = PAGE.read_text()
    assert "```{include} _generated/lecture_paths.md" in text
    assert "book/teaching" in booktools.toc_entries()


def _page_glue() -> list[re.Match]:
    return list(booktools.GLUE_ROLE.finditer(PAGE.read_text()))


def test_every_number_on_the_page_is_glued():
    """No digit in the page's prose outside glue roles, math, inline code, labels and links."""
    text = PAGE.read_text()
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = booktools.GLUE_ROLE.sub(" ", text)
    for _, _, parameter in PARAMETERS:  # each checked against its chapter below
        text = text.replace(parameter, " ")
    text = re.sub(
        r"\b(Chapter|Proposition|Example|Theorem|Corollary|footnote|Lecture|buyer) \d+('s)?", " ", text
    )
    text = re.sub(r"\$[^$]*\$|`[^`]*`|\{(ref|doc)\}`[^`]*`|^\([\w-]+\)=$", " ", text, flags=re.M)
    allowed = {"90-minute"}  # the class length every chapter's core is checked against (above)
    words = [w.strip(".,;:()") for w in text.split() if re.search(r"\d", w)]
    assert not [w for w in words if w not in allowed]


def test_page_glue_names_exist():
    """Every glued number names a chapter notebook and a name that notebook glues."""
    uses = _page_glue()
    assert len(uses) >= 10
    for m in uses:
        assert m["doc"], f"{m[0]}: glue on the teaching page must name its chapter"
        stem = m["doc"].removesuffix(".ipynb")
        assert (ROOT / "book" / f"{stem}.ipynb").is_file(), m[0]
        values = booktools.glued_values(booktools.read_notebook(ROOT / "book" / f"{stem}.ipynb"))
        assert m["name"] in values, f"{m['name']} is not glued in {stem}"


# (chapter, glue name, the parameter the teaching page states with it): the chapter states the
# same parameter in the paragraph that shows this number.
PARAMETERS = [
    ("02_uniform_price_speculation", "m_poa15", "$\\text{PoA} > 1.5$"),
    ("02_uniform_price_speculation", "m_poa2", "$\\text{PoA} > 2$"),
    ("02_uniform_price_speculation", "eq_limit", "bound of 6"),
    ("03_smooth_auctions", "fail_m16", "$m = 16$"),
    ("04_posted_prices", "share_1e8", "$H = 10^8$"),
    ("04_posted_prices", "H_cut", "$\\epsilon = 0.1$"),
    ("05_reserve_prices", "spec_share_m5", "$m = 5$"),
    ("05_reserve_prices", "p_m10", "$m = 10$"),
    ("05_reserve_prices", "uc_m10", "$m = 10$"),
]


@pytest.mark.parametrize(("stem", "name", "parameter"), PARAMETERS)
def test_parameters_are_the_chapters(stem, name, parameter):
    page = PAGE.read_text()
    assert name in page and parameter in page
    for paragraph in _markdown(ROOT / "book" / f"{stem}.ipynb").split("\n\n"):
        if f"`{name}" in paragraph:
            assert parameter in paragraph, f"{stem}: {name} is not shown with {parameter}"
            return
    pytest.fail(f"{stem}: {name} not shown in the chapter")


def test_claims_about_the_glued_numbers():
    """What the page says students will see, checked on the chapters' glued values."""
    ch2, ch3, ch4, ch5, ch6 = (
        "02_uniform_price_speculation",
        "03_smooth_auctions",
        "04_posted_prices",
        "05_reserve_prices",
        "06_symmetric_first_price",
    )
    assert _glued(ch2, "m_poa15") < _glued(ch2, "m_poa2")  # passes 1.5, then 2 only later
    assert _glued(ch2, "eq_limit") < 6  # the welfare stays below 6
    assert _glued(ch2, "eps_big") > _glued(ch2, "eps_small")
    assert _glued(ch2, "eps_big_margin") < 0 < _glued(ch2, "eps_small_margin")  # fails, then works
    assert _glued(ch3, "fail_m16") < 0  # the certificate is negative
    assert 1 < _glued(ch4, "H_cut")
    assert _glued(ch4, "share_1e8") < 0.5 < _glued(ch4, "bal_worst")  # never below one half
    assert _glued(ch5, "spec_share_m5") < 1
    assert 0 < _glued(ch5, "p_m10") < 1
    assert _glued(ch5, "uc_m10") < _glued(ch5, "uc0_m10")
    assert 0 < _glued(ch6, "bump_rate_lo") <= _glued(ch6, "bump_rate_hi")


def test_code_to_change_is_the_chapters():
    """Every code span of 'Cells to change live' is in the chapter's code or the library's source."""
    text = PAGE.read_text()
    live = text.split("(teaching-live)=", 1)[1].split("(teaching-kit)=", 1)[0]
    library = "\n".join(p.read_text() for p in (ROOT / "lib" / "aftermarkets").rglob("*.py"))
    code = "\n".join(_code(p) for p in CHAPTERS)
    spans = re.findall(r"`([^`]+)`", re.sub(r"\{[\w:-]+\}`[^`]*`", " ", live))
    assert len(spans) >= 8
    for span in spans:
        probe = span.split("(")[0] if span.endswith("...)") else span
        assert probe in code or probe in library, f"`{span}` is not in the chapters' code or the library"
