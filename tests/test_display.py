"""Notebook display: ``_repr_html_`` and ``_repr_markdown_`` of the model's values.

Content is data, so the tests check three things for every class: the key facts
are shown, the HTML parses (as XML, after wrapping it in a root element), and
no text of the data can break out of its cell, in HTML or in Markdown.
"""

from __future__ import annotations

import datetime
import html
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Protocol

import attrs
import numpy as np
import pint
import pytest
from hypothesis import given, settings

from ae_systemic import (
    CoMedication,
    Drug,
    Pathway,
    Patient,
    Phase,
    Population,
    Visit,
    assess,
    daily_dose,
    monitoring_schedule,
)
from ae_systemic._monitoring import Schedule
from strategies import drugs, texts

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity

EVIL = '<script>alert(1)</script> & "quoted" | piped'
#: How EVIL reads in a Markdown cell: "<" and "|" escaped ("&" starts no entity here).
EVIL_MD = r'\<script>alert(1)\</script> & "quoted" \| piped'


class Displayable(Protocol):
    def _repr_html_(self) -> str: ...

    def _repr_markdown_(self) -> str: ...


def _values(csa: Drug) -> dict[str, Displayable]:
    patient = Patient("15 years", "55 kg", pregnant=True)
    return {
        "drug": csa,
        "recommendation": csa.recommendations[0],
        "estimate": csa.evidence[0],
        "dose": daily_dose(csa, "70 kg", phase=Phase.ACUTE),
        "array dose": daily_dose(csa, Q(np.array([50.0, 70.0, 90.0]), "kg")),
        "assessment": assess(csa, patient),
        "visit": monitoring_schedule(csa, datetime.date(2027, 1, 15))[0],
        "schedule": monitoring_schedule(csa, datetime.date(2027, 1, 15)),
    }


# -- helpers: read the output back ------------------------------------------------------------


class _Reader(HTMLParser):
    """The text of an HTML fragment, with its tags checked for balance."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_text(fragment: str) -> str:
    """The text a browser shows for ``fragment`` (cells joined by spaces)."""
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    assert reader.open == []
    return " ".join(reader.text)


def html_tree(fragment: str) -> ET.Element:
    return ET.fromstring(f"<root>{fragment}</root>")


def cells_of(row: str) -> list[str]:
    """The cells of one Markdown table row, split at the pipes that are not escaped."""
    assert row.startswith("| "), row
    assert row.endswith(" |"), row
    cells, current, chars = [], "", iter(row[1:-1])
    for char in chars:
        if char == "\\":
            current += char + next(chars, "")
        elif char == "|":
            cells.append(current)
            current = ""
        else:
            current += char
    return [cell.strip() for cell in (*cells, current)]


def raw_markup(markdown: str) -> list[str]:
    """The raw HTML tags of a Markdown text: each "<" not escaped, up to its ">"."""
    tags, chars = [], enumerate(markdown)
    for i, char in chars:
        if char == "\\":
            next(chars, None)
        elif char == "<":
            tags.append(markdown[i : markdown.index(">", i) + 1])
    return tags


#: A note under a caption: a fact of every row, led by its field's label (never by data).
NOTE = re.compile(r"(?P<label>[A-Z][a-z ]+) \(all rows\): (?P<value>.+)")


def markdown_notes(text: str) -> dict[str, list[str]]:
    """The notes under each caption of a Markdown text, as they read (caption: notes)."""
    notes: dict[str, list[str]] = {}
    caption = ""
    for block in text.strip().split("\n\n"):
        if block.startswith("**"):
            caption = block.strip("*")
            notes[caption] = []
        elif NOTE.fullmatch(block):
            notes[caption].append(block)
    return notes


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every table of a Markdown text as rows of cells, checking each row has as many cells.

    Between tables: a caption (one line in ``**``), then any notes under it (one line each,
    led by a label), then the table."""
    tables: list[list[list[str]]] = []
    previous = ""
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        if not lines[0].startswith("|"):
            assert len(lines) == 1, block  # a caption or a note: one line
            if NOTE.fullmatch(lines[0]):
                assert previous in {"caption", "note"}, block  # a note follows its caption
                previous = "note"
                continue
            assert lines[0].startswith("**"), block
            assert lines[0].endswith("**"), block
            previous = "caption"
            continue
        previous = "table"
        assert all(line.startswith("|") for line in lines), block
        assert re.fullmatch(r"\|( --- \|)+", lines[1]), block
        rows = [cells_of(line) for i, line in enumerate(lines) if i != 1]
        assert {len(row) for row in rows} == {lines[1].count("---")}, block
        tables.append(rows)
    return tables


# -- every class: both reprs, key facts, well-formed -------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["drug", "recommendation", "estimate", "dose", "array dose", "assessment", "visit", "schedule"],
)
def test_both_reprs_are_strings_of_parseable_tables(csa: Drug, name: str) -> None:
    value = _values(csa)[name]
    out_html, out_md = value._repr_html_(), value._repr_markdown_()
    assert isinstance(out_html, str)
    assert isinstance(out_md, str)
    tree = html_tree(out_html)
    assert list(tree.iter("table"))
    assert all(t.find("thead/tr/th") is not None for t in tree.iter("table"))
    html_text(out_html)  # balanced tags
    assert markdown_tables(out_md)


def test_drug_shows_arrows_consensus_certainty_and_doses(csa: Drug) -> None:
    out_html, out_md = csa._repr_html_(), csa._repr_markdown_()
    shown = html_text(out_html)
    for fact in ("↑↑", ">75%", "100%", "⊕⊕⊕○", "MODERATE", "⊕⊕○○", "LOW", "2.5", "mg/kg/day"):
        assert fact in shown
        assert fact in out_md
    assert "&gt;75%" in out_html  # the text is escaped, and reads ">75%"
    assert "not stated" in shown  # recommendation 4 has neither arrow nor consensus
    assert "16 years" in shown
    assert "Drucker AM" in shown  # the references
    captions = [c.text for c in html_tree(out_html).findall("div/table/caption")]
    assert captions == [
        "Mechanism of action",
        "Efficacy",
        "Recommendations",
        "Effect estimates",
        "Comparisons",
        "Dose regimens",
        "Licence",
        "Monitoring and screening",
        "Combinations",
        "Interactions",
        "Children and adolescents",
        "Pregnancy",
        "Safety",
        "References",
    ]


def test_drug_display_shows_the_safety_content_a_clinician_needs(csa: Drug) -> None:
    shown = html_text(csa._repr_html_())
    uvb = next(c for c in csa.combinations if c.therapy == "UVB")
    facts = [uvb.sentence(csa.name), csa.monitoring.summary, csa.screening.summary]
    facts += [i.summary for i in csa.interactions] + [i.consequence for i in csa.interactions]
    facts += [s.text for s in csa.safety]
    facts += [s.text for group in csa.special_populations for s in group.statements]
    facts += [s.text for s in csa.mechanism] + [s.text for s in csa.efficacy]
    facts += [f.text for c in csa.comparisons for f in c.findings]
    markdown = csa._repr_markdown_()
    for fact in facts:
        assert fact in shown, fact
        assert fact.replace("(", "(").split(" ")[0] in markdown


def test_drug_tables_have_a_row_per_item(csa: Drug) -> None:
    tables = markdown_tables(csa._repr_markdown_())
    summary, recs, estimates, regimens, refs = (tables[i] for i in (0, 3, 4, 6, -1))
    assert summary[0] == ["Drug", "ciclosporin"]
    assert len(recs) == 1 + len(csa.recommendations)
    assert len(estimates) == 1 + len(csa.evidence)
    assert len(regimens) == 1 + len(csa.regimens)
    assert len(refs) == 1 + len(csa.references)
    assert recs[1][1:3] == ["↑↑ we recommend", ">75% Evidence and consensus based"]
    assert recs[4][1:3] == ["not stated", "not stated"]


def test_drug_shows_the_analysis_and_time_frame_of_its_effect_estimates(csa: Drug) -> None:
    # The source qualifies all six: network meta-analysis 2022, short term (up to 16 weeks)
    # vs placebo.  One value common to every row is one line under the caption.
    analysis = (
        "Network meta-analysis 2022, short term vs placebo (medications used in clinical "
        "practice or likely to be approved soon)"
    )
    notes = [f"Analysis (all rows): {analysis}", "Time frame (all rows): up to 16 weeks"]
    out_md = csa._repr_markdown_()
    assert markdown_notes(out_md)["Effect estimates"] == notes
    assert markdown_notes(out_md)["Recommendations"] == []
    (caption,) = [
        c for c in html_tree(csa._repr_html_()).iter("caption") if c.text == "Effect estimates"
    ]
    assert "".join(caption.itertext()) == "Effect estimates" + "".join(notes)
    assert [child.tag for child in caption] == ["br", "br"]
    # the same words as the display of one estimate
    single = dict(markdown_tables(csa.evidence[0]._repr_markdown_())[0])
    assert (single["Analysis"], single["Time frame"]) == (analysis, "up to 16 weeks")


def test_estimates_of_different_time_frames_show_each_its_own(csa: Drug) -> None:
    evidence = (csa.evidence[0], attrs.evolve(csa.evidence[1], max_weeks=52))
    drug = attrs.evolve(csa, evidence=evidence)
    out_md = drug._repr_markdown_()
    estimates = markdown_tables(out_md)[4]
    assert estimates[0][-3:] == ["Certainty", "Time frame", "References"]
    assert [row[-2] for row in estimates[1:]] == ["up to 16 weeks", "up to 52 weeks"]
    assert markdown_notes(out_md)["Effect estimates"] == [
        f"Analysis (all rows): {csa.evidence[0].analysis}"
    ]
    shown = html_text(drug._repr_html_())
    assert "Time frame (all rows)" not in shown
    assert "up to 52 weeks" in shown


def test_drug_shows_each_recommendations_see_also_and_note(csa: Drug) -> None:
    note = csa.recommendations[3].note
    assert note is not None
    recs = markdown_tables(csa._repr_markdown_())[3]
    assert recs[0] == [
        "No.",
        "Strength",
        "Consensus",
        "Statement",
        "See also",
        "Note",
        "References",
    ]
    assert recs[1][4:6] == ["Evidence Report", ""]  # recommendation 1
    assert recs[4][4:6] == ["", note]  # recommendation 4
    shown = html_text(csa._repr_html_())
    assert "Evidence Report" in shown
    assert note in shown


def test_recommendations_without_see_also_or_note_show_no_such_column(csa: Drug) -> None:
    plain = tuple(attrs.evolve(r, see_also=None, note=None) for r in csa.recommendations)
    recs = markdown_tables(attrs.evolve(csa, recommendations=plain)._repr_markdown_())[3]
    assert recs[0] == ["No.", "Strength", "Consensus", "Statement", "References"]


def test_a_note_under_a_caption_is_escaped(csa: Drug) -> None:
    evidence = tuple(attrs.evolve(e, analysis=f"# {EVIL}") for e in csa.evidence)
    drug = attrs.evolve(csa, evidence=evidence)
    out_md = drug._repr_markdown_()
    assert markdown_notes(out_md)["Effect estimates"][0] == f"Analysis (all rows): # {EVIL_MD}"
    assert raw_markup(out_md) == []
    out_html = drug._repr_html_()
    assert "<script>" not in out_html
    assert f"Analysis (all rows): # {EVIL}" in html_text(out_html)
    html_tree(out_html)


def test_recommendation_shows_strength_consensus_and_statement(csa: Drug) -> None:
    first, fourth = csa.recommendations[0], csa.recommendations[3]
    shown = html_text(first._repr_html_())
    assert "↑↑ we recommend" in shown
    assert ">75% Evidence and consensus based" in shown
    assert first.statement in shown
    assert "not stated" not in shown
    for out in (html_text(fourth._repr_html_()), fourth._repr_markdown_()):
        assert out.count("not stated") >= 2
        assert "↑" not in out


def test_estimate_shows_certainty_interval_and_significance(csa: Drug) -> None:
    significant, not_significant = csa.evidence[0], csa.evidence[2]
    for out in (html_text(significant._repr_html_()), significant._repr_markdown_()):
        for fact in ("⊕⊕⊕○ MODERATE", "-1", "(-1.6, -0.4)", "placebo", "16 weeks"):
            assert fact in out
        assert "level not stated" in out
        assert "95" not in out
    shown = html_text(not_significant._repr_html_())
    assert "⊕⊕○○ LOW" in shown
    assert "(-1.5, 0.2)" in shown
    assert "Interval excludes 0 no" in shown
    assert "Interval excludes 0 yes" in html_text(significant._repr_html_())


def test_dose_range_shows_daily_and_single_doses_with_units(csa: Drug) -> None:
    dose = daily_dose(csa, "70 kg", phase=Phase.ACUTE)
    for out in (html_text(dose._repr_html_()), dose._repr_markdown_()):
        for fact in ("280", "350", "mg/day", "140", "175", "2 doses a day", "70 kg"):
            assert fact in out
        assert "280–350 mg/day" in out
        assert "140–175 mg per dose, 2 doses a day" in out
        assert "acute flare, short-term (adults)" in out
        assert "4–5 mg/kg/day" in out


def test_dose_range_shows_the_fallback_note(csa: Drug) -> None:
    dose = daily_dose(csa, "30 kg", population=Population.CHILD, phase=Phase.ACUTE)
    assert dose.fallback is not None
    assert dose.fallback in html_text(dose._repr_html_())
    assert "75–150 mg/day" in dose._repr_markdown_()


def test_array_dose_range_is_a_short_summary(csa: Drug) -> None:
    weights = np.linspace(40.0, 120.0, 10**5)
    dose = daily_dose(csa, Q(weights, "kg"))
    out_html, out_md = dose._repr_html_(), dose._repr_markdown_()
    assert len(out_html) < 5_000
    assert len(out_md) < 5_000
    for out in (html_text(out_html), out_md):
        assert "100000 weights" in out
        assert "40–120 kg" in out
        assert "100–300 mg/day" in out  # 2.5 mg/kg/day over 40-120 kg
        assert "200–600 mg/day" in out  # 5 mg/kg/day
        assert "50–150 mg per dose" in out
        assert "100–300 mg per dose" in out


@pytest.mark.parametrize(
    ("weights", "daily_low", "daily_high", "single_low", "single_high"),
    [
        # 33.3 kg: 83.25-166.5 mg/day, 41.625-83.25 mg per dose, as one weight prints them.
        ([33.3, 33.3], "83.3", "166.5", "41.7", "83.2"),
        ([33.3], "83.3", "166.5", "41.7", "83.2"),
        # 40.02 kg: 100.05-200.1 mg/day, 50.025-100.05 mg per dose.
        ([40.02, 33.3], "83.3–100.1", "166.5–200.1", "41.7–50.1", "83.2–100"),
    ],
)
def test_the_ends_of_an_arrays_ranges_are_rounded_into_each_range(
    csa: Drug,
    weights: list[float],
    daily_low: str,
    daily_high: str,
    single_low: str,
    single_high: str,
) -> None:
    # A lower end is never shown below its own range, nor an upper end above it (83.25
    # was shown as 83.2 when every weight was the same).
    dose = daily_dose(csa, Q(np.array(weights), "kg"))
    rows = dict(markdown_tables(dose._repr_markdown_())[0])
    assert rows["Daily dose, lower end"] == f"{daily_low} mg/day"
    assert rows["Daily dose, upper end"] == f"{daily_high} mg/day"
    assert rows["Single dose, lower end"] == f"{single_low} mg per dose, 2 doses a day"
    assert rows["Single dose, upper end"] == f"{single_high} mg per dose, 2 doses a day"
    one = dict(markdown_tables(daily_dose(csa, Q(33.3, "kg"))._repr_markdown_())[0])
    assert one["Daily dose"] == "83.3–166.5 mg/day"
    assert one["Single dose"] == "41.7–83.2 mg per dose, 2 doses a day"


def test_assessment_shows_population_licence_dose_and_findings(csa: Drug) -> None:
    statin = CoMedication("simvastatin", frozenset({Pathway.CYP3A4}))
    result = assess(csa, Patient("15 years", "55 kg", pregnant=True, co_medications=(statin,)))
    shown = html_text(result._repr_html_())
    for fact in ("children", "Licensed for this age", "no", "137.5–275 mg/day", "off-label"):
        assert fact in shown
    summary, findings = markdown_tables(result._repr_markdown_())
    assert summary[0] == ["Drug", "ciclosporin"]
    assert len(findings) == 1 + len(result.findings)
    assert [row[0] for row in findings[1:]] == [str(f.kind) for f in result.findings]
    assert ["pregnancy", result.findings[4].message, "14"] in findings


def test_visit_shows_date_label_and_checks(csa: Drug) -> None:
    visit = monitoring_schedule(csa, datetime.date(2027, 1, 15))[1]
    for out in (html_text(visit._repr_html_()), visit._repr_markdown_()):
        assert "2027-02-12" in out
        assert "week 4" in out
        assert "liver profile (including GGT)" in out


# -- the schedule: still a tuple ------------------------------------------------------------------


def test_the_schedule_is_still_a_tuple_of_visits(csa: Drug) -> None:
    schedule = monitoring_schedule(csa, datetime.date(2027, 1, 15))
    visits = tuple(schedule)
    assert isinstance(schedule, tuple)
    assert isinstance(schedule, Schedule)
    assert type(visits) is tuple
    assert schedule == visits
    assert visits == schedule
    assert hash(schedule) == hash(visits)
    assert schedule[0] == visits[0]
    assert schedule[-2:] == visits[-2:]
    assert len(schedule) == 6
    assert all(isinstance(v, Visit) for v in schedule)
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert repr(schedule) == repr(visits)
    assert not hasattr(schedule, "__dict__")


def test_the_schedule_lists_its_six_dates(csa: Drug) -> None:
    schedule = monitoring_schedule(csa, datetime.date(2027, 1, 15), months=12)
    dates = [v.date.isoformat() for v in schedule]
    assert len(dates) == 6
    shown = html_text(schedule._repr_html_())
    assert "6 visits" in shown
    (table,) = markdown_tables(schedule._repr_markdown_())
    assert [row[0] for row in table[1:]] == dates
    assert [row[1] for row in table[1:]] == [v.label for v in schedule]
    assert len(html_tree(schedule._repr_html_()).findall(".//tbody/tr")) == 6
    for day in dates:
        assert day in shown


def test_an_empty_schedule_displays() -> None:
    empty = Schedule(())
    assert len(empty) == 0
    assert "0 visits" in html_text(empty._repr_html_())
    ((header,),) = markdown_tables(empty._repr_markdown_())
    assert header == ["Date", "Visit", "Checks", "References"]


# -- escaping ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_drug(csa: Drug) -> Drug:
    recs = list(csa.recommendations)
    recs[0] = attrs.evolve(recs[0], statement=EVIL, note=f"line one | {EVIL}")
    return attrs.evolve(
        csa,
        name=EVIL,
        synonyms=("a|b", "*stars*", "[link](x)"),
        recommendations=tuple(recs),
        evidence=(attrs.evolve(csa.evidence[0], comparator=EVIL),),
    )


def test_html_escapes_every_text(evil_drug: Drug) -> None:
    values: tuple[Displayable, ...] = (
        evil_drug,
        evil_drug.recommendations[0],
        evil_drug.evidence[0],
    )
    for value in values:
        out = value._repr_html_()
        assert "<script>" not in out
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
        assert "&amp;" in out
        assert "&quot;quoted&quot;" in out
        assert EVIL in html_text(out)  # and reads back as the text itself
        html_tree(out)


def test_markdown_keeps_cells_in_their_columns(evil_drug: Drug) -> None:
    out = evil_drug._repr_markdown_()
    tables = markdown_tables(out)
    summary, recs = tables[0], tables[3]
    assert summary[0] == ["Drug", EVIL_MD]
    assert r"a\|b, \*stars\*, \[link\](x)" in summary[1][1]
    assert r"\| piped" in recs[1][3]
    assert raw_markup(out) == []  # every "<" escaped: no raw HTML
    rec_md = evil_drug.recommendations[0]._repr_markdown_()
    assert raw_markup(rec_md) == []  # no text holds a line break that would need a <br>
    note = markdown_tables(rec_md)[0]
    assert ["Note", rf"line one \| {EVIL_MD}"] in note


def test_markdown_escapes_inline_syntax() -> None:
    from ae_systemic import _display

    assert _display._md(r"a\b `c` *d* _e_ [f] <g> ~h~ $i$ &amp; & x") == (
        r"a\\b \`c\` \*d\* \_e\_ \[f\] \<g> \~h\~ \$i\$ \&amp; & x"
    )
    assert _display._md("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    assert _display._md("nul\x00 bell\x07") == "nul\ufffd bell\ufffd"


@settings(max_examples=200, deadline=None)
@given(text=texts)  # any one-line text the model holds (controls are refused there)
def test_no_text_escapes_its_cell(csa: Drug, text: str) -> None:
    plain = attrs.evolve(csa.recommendations[0], statement="x")
    rec = attrs.evolve(plain, statement=text)
    out = rec._repr_html_()
    assert out.count("<") == plain._repr_html_().count("<")  # every "<" is markup
    safe = re.sub("[\ufffe\uffff]", "\ufffd", text)  # noncharacters XML cannot carry
    assert html.escape(safe) in out
    html_tree(out)
    markdown = rec._repr_markdown_()
    (table,) = markdown_tables(markdown)
    assert len(table) == len(markdown_tables(plain._repr_markdown_())[0])
    assert set(raw_markup(markdown)) <= {"<br>"}


@settings(max_examples=40, deadline=None)
@given(drug=drugs())
def test_any_valid_drug_displays(drug: Drug) -> None:
    tree = html_tree(drug._repr_html_())
    html_text(drug._repr_html_())
    tables = [
        (table.findtext("caption") or "", len(table.findall("tbody/tr")))
        for table in tree.findall("div/table")
    ]
    # The fixed sections, unless a special population's group shares a caption with one.
    groups = {g.group[:1].upper() + g.group[1:] for g in drug.special_populations}
    rows = {caption: count for caption, count in tables if caption not in groups}
    # Every section with something in it, and only those, each with a row per item.
    for caption, items in (
        ("Recommendations", drug.recommendations),
        ("Effect estimates", drug.evidence),
        ("Safety", drug.safety),
    ):
        if caption not in groups:
            assert rows.get(caption, 0) == len(items)
    assert all(count > 0 for _, count in tables)
    assert len(markdown_tables(drug._repr_markdown_())) == len(tables)


# -- laziness -------------------------------------------------------------------------------------


def test_importing_the_package_does_not_import_the_renderers() -> None:
    code = (
        "import sys, ae_systemic; "
        "ae_systemic.monitoring_schedule('ciclosporin', __import__('datetime').date(2027, 1, 15)); "
        "print('ae_systemic._display' in sys.modules, end=' '); "
        "ae_systemic.drug('ciclosporin')._repr_html_(); "
        "print('ae_systemic._display' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.strip() == "False True"
