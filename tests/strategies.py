"""Hypothesis strategies for valid instances of every public model class.

Every strategy here produces objects that the model accepts: the classes check
their invariants on construction, so a strategy that drew an invalid
combination would fail loudly rather than hand a test a broken value.  Texts
are short and tuples small so that the strategies stay fast.

``Drug`` and ``Guideline`` are the demanding ones: within a drug every cited
reference number is in its reference list, statement and comparison keys are
unique, names and synonyms are unique ignoring case, recommendation numbers are
unique and there is one regimen per (population, phase); within a guideline
drug names are unique across drugs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from ae_systemic import (
    Amount,
    Arm,
    Certainty,
    Combination,
    CombinationAdvice,
    Comparison,
    ComparisonResult,
    Consensus,
    ConsensusBasis,
    ConsensusBound,
    DoseLevel,
    DoseRate,
    DoseRegimen,
    Drug,
    EffectEstimate,
    FixedDose,
    Guideline,
    Interaction,
    Interval,
    Licence,
    Measure,
    Monitoring,
    Outcome,
    Pathway,
    Phase,
    Population,
    Recommendation,
    Reference,
    Screening,
    SpecialPopulation,
    Statement,
    Strength,
    WeightBand,
)
from ae_systemic._units import AMOUNT_UNITS, BODY_WEIGHT_UNITS, PERIOD_UNITS

__all__ = [
    "arms",
    "citations",
    "combinations",
    "comparisons",
    "consensuses",
    "dose_rates",
    "dose_regimens",
    "drugs",
    "effect_estimates",
    "guidelines",
    "interactions",
    "licences",
    "monitorings",
    "recommendations",
    "references",
    "screenings",
    "special_populations",
    "statements",
]

T = TypeVar("T")
Cites = st.SearchStrategy[tuple[int, ...]]

# --- building blocks ------------------------------------------------------------------------

#: A short one-line text with something other than white space in it: any Unicode but
#: surrogates, control characters and the line and paragraph separators.
texts: st.SearchStrategy[str] = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=8
).filter(lambda s: bool(s.strip()))
optional_texts: st.SearchStrategy[str | None] = st.none() | texts
#: Names: letters, digits, hyphens, so that ignoring case (casefold) is exercised.
names: st.SearchStrategy[str] = st.text(
    st.characters(categories=("Lu", "Ll", "Nd", "Pd")), min_size=1, max_size=8
)
positive_ints: st.SearchStrategy[int] = st.integers(min_value=1, max_value=10_000)
finite_floats: st.SearchStrategy[float] = st.floats(
    min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False
)


def citations(numbers: st.SearchStrategy[int] | None = None) -> Cites:
    """Distinct reference numbers, drawn from ``numbers`` (any positive number by default)."""
    return st.lists(positive_ints if numbers is None else numbers, unique=True, max_size=3).map(
        tuple
    )


def _or_any(cites: Cites | None) -> Cites:
    """``cites``, or citations of any positive numbers when it is ``None``."""
    return citations() if cites is None else cites


def _citations_of(known: tuple[int, ...]) -> Cites:
    """Citations of reference numbers from ``known`` only (none when ``known`` is empty)."""
    return citations(st.sampled_from(known)) if known else st.just(())


def _tuples(items: st.SearchStrategy[T], max_size: int = 2) -> st.SearchStrategy[tuple[T, ...]]:
    return st.lists(items, max_size=max_size).map(tuple)


# --- simple classes -------------------------------------------------------------------------


def references(numbers: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[Reference]:
    return st.builds(
        Reference,
        number=positive_ints if numbers is None else numbers,
        authors=texts,
        title=texts,
        source=texts,
        year=st.integers(min_value=1, max_value=2100),
        url=optional_texts,
        accessed=st.none() | st.dates(min_value=datetime.date(1, 1, 1)),
    )


def statements(cites: Cites | None = None) -> st.SearchStrategy[Statement]:
    return st.builds(Statement, key=texts, text=texts, location=texts, references=_or_any(cites))


@st.composite
def consensuses(draw: st.DrawFn) -> Consensus:
    percent = draw(st.integers(min_value=0, max_value=100))
    bounds = [ConsensusBound.EXACTLY]
    if percent < 100:
        bounds.append(ConsensusBound.MORE_THAN)
    return Consensus(percent, draw(st.sampled_from(bounds)), draw(st.sampled_from(ConsensusBasis)))


@st.composite
def recommendations(draw: st.DrawFn, cites: Cites | None = None) -> Recommendation:
    boxed = draw(st.booleans())
    strength: st.SearchStrategy[Strength | None] = st.sampled_from(Strength)
    consensus: st.SearchStrategy[Consensus | None] = consensuses()
    if not boxed:
        strength = st.none() | strength
        consensus = st.none() | consensus
    return Recommendation(
        number=draw(st.integers(min_value=1, max_value=50)),
        statement=draw(texts),
        strength=draw(strength),
        consensus=draw(consensus),
        boxed=boxed,
        location=draw(texts),
        references=draw(_or_any(cites)),
        see_also=draw(optional_texts),
        note=draw(optional_texts),
    )


@st.composite
def effect_estimates(draw: st.DrawFn, cites: Cites | None = None) -> EffectEstimate:
    ci_low, estimate, ci_high = sorted(draw(st.lists(finite_floats, min_size=3, max_size=3)))
    return EffectEstimate(
        outcome=draw(st.sampled_from(Outcome)),
        dose_level=draw(st.sampled_from(DoseLevel)),
        measure=draw(st.sampled_from(Measure)),
        comparator=draw(texts),
        estimate=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        certainty=draw(st.sampled_from(Certainty)),
        max_weeks=draw(st.integers(min_value=1, max_value=520)),
        analysis=draw(texts),
        location=draw(texts),
        references=draw(_or_any(cites)),
    )


@st.composite
def dose_rates(draw: st.DrawFn) -> DoseRate:
    amounts = st.floats(min_value=1e-6, max_value=1e4, allow_nan=False, allow_infinity=False)
    low, high = sorted(draw(st.lists(amounts, min_size=2, max_size=2)))
    return DoseRate(
        low=low,
        high=high,
        amount_unit=draw(st.sampled_from(AMOUNT_UNITS)),
        body_weight_unit=draw(st.sampled_from(BODY_WEIGHT_UNITS)),
        period=draw(st.sampled_from(PERIOD_UNITS)),
    )


def amounts() -> st.SearchStrategy[Amount]:
    return positive_ranges().map(lambda r: Amount(r[0], r[1])) | st.builds(
        Amount, low=st.just(1.0), high=st.just(2.0), unit=st.sampled_from(AMOUNT_UNITS)
    )


def positive_ranges() -> st.SearchStrategy[tuple[float, float]]:
    amounts = st.floats(min_value=1e-6, max_value=1e4, allow_nan=False, allow_infinity=False)
    return st.lists(amounts, min_size=2, max_size=2).map(lambda pair: (min(pair), max(pair)))


def intervals() -> st.SearchStrategy[Interval]:
    return st.builds(
        Interval, count=st.integers(min_value=1, max_value=12), unit=st.sampled_from(PERIOD_UNITS)
    )


def fixed_doses() -> st.SearchStrategy[FixedDose]:
    return st.builds(FixedDose, amount=amounts(), every=intervals())


@st.composite
def weight_bands(draw: st.DrawFn) -> WeightBand:
    bounds = st.floats(min_value=0.0, max_value=700.0, allow_nan=False)
    low, high = sorted(draw(st.lists(bounds, min_size=2, max_size=2, unique=True)))
    kind = draw(st.sampled_from(["both", "below", "above"]))
    return WeightBand(
        draw(fixed_doses()),
        min_weight=None if kind == "below" else low,
        max_weight=None if kind == "above" else max(high, 1.0),
    )


@st.composite
def band_sequences(draw: st.DrawFn) -> tuple[WeightBand, ...]:
    """One to four contiguous bands: below c1, c1 to c2, ..., from the last cut up."""
    cuts = sorted(draw(st.lists(st.integers(1, 300), min_size=0, max_size=3, unique=True)))
    if not cuts:
        return (draw(weight_bands()),)
    edges: list[float | None] = [None, *map(float, cuts), None]
    return tuple(
        WeightBand(draw(fixed_doses()), min_weight=edges[i], max_weight=edges[i + 1])
        for i in range(len(edges) - 1)
    )


@st.composite
def dose_regimens(draw: st.DrawFn, cites: Cites | None = None) -> DoseRegimen:
    shape = draw(st.sampled_from(["daily", "weekly", "fixed", "bands"]))
    rate = draw(dose_rates()) if shape in ("daily", "weekly") else None
    if rate is not None:
        rate = attrs.evolve(rate, period="day" if shape == "daily" else "week")
    return DoseRegimen(
        population=draw(st.sampled_from(Population)),
        phase=draw(st.none() | st.sampled_from(Phase)),
        label=draw(texts),
        rate=rate,
        doses_per_day=draw(st.integers(min_value=1, max_value=6)) if shape == "daily" else None,
        location=draw(texts),
        references=draw(_or_any(cites)),
        note=draw(optional_texts),
        fixed=draw(fixed_doses()) if shape == "fixed" else None,
        bands=draw(band_sequences()) if shape == "bands" else (),
        loading=draw(st.none() | amounts()),
    )


def licences(cites: Cites | None = None) -> st.SearchStrategy[Licence]:
    return st.builds(
        Licence,
        min_age_years=st.integers(min_value=1, max_value=99),
        location=texts,
        references=_or_any(cites),
        notes=_tuples(statements(cites)),
    )


def monitorings(cites: Cites | None = None) -> st.SearchStrategy[Monitoring]:
    return st.builds(
        Monitoring,
        checks=_tuples(texts, 3),
        at_baseline=st.booleans(),
        first_follow_up_weeks=st.integers(min_value=1, max_value=52),
        interval_months=st.integers(min_value=1, max_value=24),
        schedule_is_example=st.booleans(),
        note=texts,
        location=texts,
        references=_or_any(cites),
    )


def screenings(cites: Cites | None = None) -> st.SearchStrategy[Screening]:
    return st.builds(
        Screening,
        tests=_tuples(texts, 3),
        when=texts,
        advice=texts,
        location=texts,
        references=_or_any(cites),
        see_also=optional_texts,
    )


def combinations(cites: Cites | None = None) -> st.SearchStrategy[Combination]:
    return st.builds(
        Combination,
        therapy=texts,
        advice=st.sampled_from(CombinationAdvice),
        location=texts,
        references=_or_any(cites),
        condition=optional_texts,
        reason=optional_texts,
    )


def interactions(cites: Cites | None = None) -> st.SearchStrategy[Interaction]:
    return st.builds(
        Interaction,
        pathway=st.sampled_from(Pathway),
        target=texts,
        role=texts,
        consequence=texts,
        location=texts,
        references=_or_any(cites),
    )


def special_populations(cites: Cites | None = None) -> st.SearchStrategy[SpecialPopulation]:
    return st.builds(SpecialPopulation, group=texts, statements=_tuples(statements(cites)))


def arms() -> st.SearchStrategy[Arm]:
    return st.builds(Arm, treatment=texts, dose=st.none() | dose_rates())


def comparisons(cites: Cites | None = None) -> st.SearchStrategy[Comparison]:
    return st.builds(
        Comparison,
        key=texts,
        intervention=arms(),
        comparator=arms(),
        result=st.sampled_from(ComparisonResult),
        design=texts,
        population=texts,
        findings=_tuples(statements(cites)),
        trial=optional_texts,
        participants=st.none() | positive_ints,
    )


# --- drugs and guidelines -------------------------------------------------------------------


def _key_allocator() -> Callable[[str], str]:
    """A function that returns its key, suffixed as needed to differ from all keys so far."""
    seen: set[str] = set()

    def fresh(key: str) -> str:
        candidate, n = key, 1
        while candidate in seen:
            n += 1
            candidate = f"{key}#{n}"
        seen.add(candidate)
        return candidate

    return fresh


@st.composite
def drugs(draw: st.DrawFn, prefix: str = "") -> Drug:
    """A valid drug; every name starts with ``prefix`` (to keep drugs of a guideline apart)."""
    section = draw(
        st.lists(references(), unique_by=lambda r: r.number, max_size=4).map(tuple),
    )
    cites = _citations_of(tuple(r.number for r in section))
    all_names = draw(
        st.lists(
            names.map(lambda n: prefix + n),
            min_size=1,
            max_size=4,
            unique_by=lambda n: n.strip().casefold(),
        )
    )
    fresh = _key_allocator()

    def rekey(items: tuple[Statement, ...]) -> tuple[Statement, ...]:
        return tuple(attrs.evolve(s, key=fresh(s.key)) for s in items)

    licence = draw(licences(cites))
    return Drug(
        name=all_names[0],
        synonyms=tuple(all_names[1:]),
        mechanism=rekey(draw(_tuples(statements(cites)))),
        efficacy=rekey(draw(_tuples(statements(cites)))),
        recommendations=tuple(
            draw(st.lists(recommendations(cites), unique_by=lambda r: r.number, max_size=3))
        ),
        evidence=draw(_tuples(effect_estimates(cites))),
        regimens=tuple(
            draw(
                st.lists(
                    dose_regimens(cites), unique_by=lambda r: (r.population, r.phase), max_size=3
                )
            )
        ),
        licence=attrs.evolve(licence, notes=rekey(licence.notes)),
        monitoring=draw(monitorings(cites)),
        screening=draw(screenings(cites)),
        combinations=draw(_tuples(combinations(cites))),
        interactions=draw(_tuples(interactions(cites))),
        special_populations=tuple(
            attrs.evolve(p, statements=rekey(p.statements))
            for p in draw(_tuples(special_populations(cites)))
        ),
        comparisons=tuple(
            attrs.evolve(c, key=fresh(c.key), findings=rekey(c.findings))
            for c in draw(_tuples(comparisons(cites)))
        ),
        safety=rekey(draw(_tuples(statements(cites)))),
        references=section,
    )


@st.composite
def guidelines(draw: st.DrawFn) -> Guideline:
    count = draw(st.integers(min_value=0, max_value=2))
    return Guideline(
        title=draw(texts),
        short_title=draw(texts),
        chapter=draw(texts),
        edition=draw(optional_texts),
        drugs=tuple(draw(drugs(prefix=f"d{i}:")) for i in range(count)),
        references=tuple(draw(st.lists(references(), unique_by=lambda r: r.number, max_size=2))),
        note=draw(optional_texts),
    )


#: One strategy per public model class (and the vocabulary's one class, ``Consensus``).
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "Reference": references(),
    "Statement": statements(),
    "Recommendation": recommendations(),
    "EffectEstimate": effect_estimates(),
    "DoseRate": dose_rates(),
    "DoseRegimen": dose_regimens(),
    "Amount": amounts(),
    "Interval": intervals(),
    "FixedDose": fixed_doses(),
    "WeightBand": weight_bands(),
    "Licence": licences(),
    "Monitoring": monitorings(),
    "Screening": screenings(),
    "Combination": combinations(),
    "Interaction": interactions(),
    "SpecialPopulation": special_populations(),
    "Arm": arms(),
    "Comparison": comparisons(),
    "Consensus": consensuses(),
    "Drug": drugs(),
    "Guideline": guidelines(),
}
