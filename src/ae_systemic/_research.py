"""The effect estimates as a pandas ``DataFrame``, for analysis in a notebook.

pandas is an optional dependency (the extra ``pandas``); it is imported when
:func:`evidence_frame` is called, never when ``ae_systemic`` is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._errors import ArgumentTypeError, MissingExtraError
from ._lookup import resolve_drug
from ._model import Drug, EffectEstimate
from ._vocabulary import Certainty, DoseLevel, Measure, Outcome

if TYPE_CHECKING:
    import pandas

__all__ = ["COLUMNS", "evidence_frame", "resolve_drugs"]

#: The columns of :func:`evidence_frame`, in order.
COLUMNS = (
    "drug",
    "outcome",
    "dose_level",
    "comparator",
    "measure",
    "max_weeks",
    "analysis",
    "estimate",
    "ci_low",
    "ci_high",
    "certainty",
    "significant",
    "references",
)

# Categories in the order of the guideline's evidence tables; certainty from worst to best.
_OUTCOMES = tuple(outcome.value for outcome in Outcome)
_DOSE_LEVELS = tuple(level.value for level in DoseLevel)
_MEASURES = tuple(measure.value for measure in Measure)
_CERTAINTIES = tuple(
    certainty.value for certainty in sorted(Certainty, key=lambda certainty: certainty.rank)
)


def evidence_frame(drug_or_drugs: Drug | str | Iterable[Drug | str]) -> pandas.DataFrame:
    """One row per effect estimate of the drug(s), in the order of the data.

    ``drug_or_drugs`` is a :class:`~ae_systemic.Drug`, a drug name, or an
    iterable of them (``ae_systemic.drugs()`` for every drug); the rows of
    several drugs are stacked in the order given, and a drug given twice (by
    two of its names) gives its rows once.  The columns are:

    ``drug``
        the drug's name (strings);
    ``outcome``, ``dose_level``
        the enum *values* (``"signs"``, ``"quality-of-life"``, ``"itch"``;
        ``"higher"``, ``"lower"``), as in the data files, so that
        ``Outcome(value)`` gives the enum back; categoricals with their
        categories in the order of the guideline's tables, so sorting keeps
        that order.  The enums are string enums equal to these values, so
        ``frame[frame.outcome == Outcome.SIGNS]`` selects rows;
    ``comparator``
        what the estimate is against (strings; ``"placebo"`` for ciclosporin);
    ``measure``
        the statistic the estimate reports, the value of
        :class:`~ae_systemic.Measure` (``"smd"``), a categorical as
        ``outcome`` is;
    ``max_weeks``
        the time frame of the estimate: up to this many weeks (ints);
    ``analysis``
        the analysis the estimate is from, as the source names it (strings).
        Two estimates of one outcome and dose level from different analyses
        or time frames differ in these two columns;
    ``estimate``, ``ci_low``, ``ci_high``
        the standardised mean difference and its interval, as the guideline
        prints them (floats).  The guideline states neither the level of the
        interval nor which sign of the difference favours the drug;
    ``certainty``
        the GRADE certainty as an *ordered* categorical of the values
        ``very-low`` < ``low`` < ``moderate`` < ``high``: sort by it or compare
        with ``frame.certainty >= Certainty.MODERATE`` (or ``>= "moderate"``);
    ``significant``
        whether the interval excludes 0 (bools, see
        :attr:`~ae_systemic.EffectEstimate.is_significant`);
    ``references``
        the numbers of the drug's references cited, as a tuple of ints
        (``frame.explode("references")`` gives one row per citation).

    Needs pandas (``pip install 'ae-systemic[pandas]'``); without it raises
    :class:`~ae_systemic.MissingExtraError`, an :class:`ImportError`.

    >>> frame = evidence_frame("ciclosporin")
    >>> frame.shape
    (6, 13)
    >>> frame.sort_values("certainty", kind="stable").certainty.iloc[-1]
    'moderate'
    >>> from ae_systemic import Certainty, Outcome
    >>> frame[frame.outcome == Outcome.SIGNS].dose_level.tolist()
    ['higher', 'lower']
    >>> len(frame[frame.certainty >= Certainty.MODERATE])
    3
    """
    try:
        import pandas
    except ImportError as exc:
        raise MissingExtraError("evidence_frame", "pandas", "pandas") from exc

    rows = _estimates(resolve_drugs(drug_or_drugs))
    estimates = [estimate for _, estimate in rows]
    return pandas.DataFrame(
        {
            "drug": pandas.Series([drug.name for drug, _ in rows], dtype="str"),
            "outcome": _categorical([e.outcome.value for e in estimates], _OUTCOMES),
            "dose_level": _categorical([e.dose_level.value for e in estimates], _DOSE_LEVELS),
            "comparator": pandas.Series([e.comparator for e in estimates], dtype="str"),
            "measure": _categorical([e.measure.value for e in estimates], _MEASURES),
            "max_weeks": pandas.Series([e.max_weeks for e in estimates], dtype="int64"),
            "analysis": pandas.Series([e.analysis for e in estimates], dtype="str"),
            "estimate": pandas.Series([e.estimate for e in estimates], dtype="float64"),
            "ci_low": pandas.Series([e.ci_low for e in estimates], dtype="float64"),
            "ci_high": pandas.Series([e.ci_high for e in estimates], dtype="float64"),
            "certainty": _categorical(
                [e.certainty.value for e in estimates], _CERTAINTIES, ordered=True
            ),
            "significant": pandas.Series([e.is_significant for e in estimates], dtype="bool"),
            "references": pandas.Series([tuple(e.references) for e in estimates], dtype="object"),
        },
        columns=list(COLUMNS),
    )


def _categorical(
    values: list[str], categories: tuple[str, ...], *, ordered: bool = False
) -> pandas.Series:
    import pandas

    dtype = pandas.CategoricalDtype(list(categories), ordered=ordered)
    return pandas.Series(values, dtype=dtype)


def resolve_drugs(
    drug_or_drugs: Drug | str | Iterable[Drug | str], argument: str = "drug_or_drugs"
) -> tuple[Drug, ...]:
    """The drugs named or given: one for a :class:`Drug` or a name, each of an iterable.

    A drug given twice, as the same or an equal :class:`Drug` or by two of its names
    (``["ciclosporin", "CsA"]``), is kept once, where it was first given: its
    estimates are not repeated.  ``argument`` names the argument in the errors.  Bytes
    are refused as such, not read as an iterable of whole numbers: a name is text
    (``b"ciclosporin".decode()``).
    """
    if isinstance(drug_or_drugs, Drug | str):
        return (resolve_drug(drug_or_drugs, argument),)
    if isinstance(drug_or_drugs, bytes | bytearray | memoryview):
        raise ArgumentTypeError(
            argument,
            f"expected a Drug, a drug name such as 'ciclosporin' or an iterable of them, got "
            f"{type(drug_or_drugs).__name__}; a drug name is text: decode the bytes first "
            "(b'ciclosporin'.decode())",
        )
    if not isinstance(drug_or_drugs, Iterable):
        raise ArgumentTypeError(
            argument,
            "expected a Drug, a drug name such as 'ciclosporin' or an iterable of them, "
            f"got {type(drug_or_drugs).__name__}",
        )
    drugs: list[Drug] = []
    for item in drug_or_drugs:
        found = resolve_drug(item, argument)
        if not any(found is kept or found == kept for kept in drugs):
            drugs.append(found)
    return tuple(drugs)


def _estimates(drugs: Iterable[Drug]) -> list[tuple[Drug, EffectEstimate]]:
    return [(drug, estimate) for drug in drugs for estimate in drug.evidence]
