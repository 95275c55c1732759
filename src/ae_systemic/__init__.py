"""Computable content of the European (EuroGuiDerm) atopic eczema guideline.

The systemic-treatment content (today: the ciclosporin section) as frozen,
typed values, with a small functional API::

    >>> import ae_systemic
    >>> csa = ae_systemic.drug("ciclosporin")
    >>> str(csa.recommendations[0].strength)
    '↑↑'

Content is read from data files inside the package on first use, never at import.
"""

from __future__ import annotations

from ._assessment import (
    DEFAULT_ADULT_FROM_YEARS,
    Assessment,
    CoMedication,
    Finding,
    FindingKind,
    Patient,
    assess,
    population_for,
)
from ._converter import JSONValue, structure, unstructure
from ._dose_plan import DosePlan, dose_plan
from ._dosing import (
    MAX_AGE_YEARS,
    MAX_BODY_WEIGHT_KG,
    DoseRange,
    daily_dose,
    is_licensed,
    round_to_strengths,
)
from ._errors import (
    AeSystemicError,
    DataError,
    DataProblem,
    DoseInputError,
    InputError,
    UnknownDrugError,
)
from ._loading import MAX_PACK_BYTES, load_guideline
from ._lookup import drug, drugs, guideline
from ._model import (
    Amount,
    Arm,
    Combination,
    Comparison,
    DoseRate,
    DoseRegimen,
    Drug,
    EffectEstimate,
    FixedDose,
    Guideline,
    Interaction,
    Interval,
    Licence,
    Monitoring,
    Recommendation,
    Reference,
    Screening,
    SpecialPopulation,
    Statement,
    WeightBand,
)
from ._monitoring import MAX_SCHEDULE_MONTHS, Visit, add_months, monitoring_schedule
from ._queries import evidence, recommendations
from ._schema import schema
from ._vocabulary import (
    Certainty,
    CombinationAdvice,
    ComparisonResult,
    Consensus,
    ConsensusBasis,
    ConsensusBound,
    DoseLevel,
    Measure,
    Outcome,
    Pathway,
    Phase,
    Phototherapy,
    Population,
    Strength,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ADULT_FROM_YEARS",
    "MAX_AGE_YEARS",
    "MAX_BODY_WEIGHT_KG",
    "MAX_PACK_BYTES",
    "MAX_SCHEDULE_MONTHS",
    "AeSystemicError",
    "Amount",
    "Arm",
    "Assessment",
    "Certainty",
    "CoMedication",
    "Combination",
    "CombinationAdvice",
    "Comparison",
    "ComparisonResult",
    "Consensus",
    "ConsensusBasis",
    "ConsensusBound",
    "DataError",
    "DataProblem",
    "DoseInputError",
    "DoseLevel",
    "DosePlan",
    "DoseRange",
    "DoseRate",
    "DoseRegimen",
    "Drug",
    "EffectEstimate",
    "Finding",
    "FindingKind",
    "FixedDose",
    "Guideline",
    "InputError",
    "Interaction",
    "Interval",
    "JSONValue",
    "Licence",
    "Measure",
    "Monitoring",
    "Outcome",
    "Pathway",
    "Patient",
    "Phase",
    "Phototherapy",
    "Population",
    "Recommendation",
    "Reference",
    "Screening",
    "SpecialPopulation",
    "Statement",
    "Strength",
    "UnknownDrugError",
    "Visit",
    "WeightBand",
    "add_months",
    "assess",
    "daily_dose",
    "dose_plan",
    "drug",
    "drugs",
    "evidence",
    "guideline",
    "is_licensed",
    "load_guideline",
    "monitoring_schedule",
    "population_for",
    "recommendations",
    "round_to_strengths",
    "schema",
    "structure",
    "unstructure",
]
