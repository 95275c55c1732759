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

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    from ._converter import (
        JSONValue,
        structure,
        unstructure,
    )
    from ._dose_plan import (
        DosePlan,
        dose_plan,
    )
    from ._dosing import (
        MAX_AGE_YEARS,
        MAX_BODY_WEIGHT_KG,
        MIN_BODY_WEIGHT_KG,
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
        MissingExtraError,
        UnknownDrugError,
    )
    from ._loading import (
        MAX_PACK_BYTES,
        load_guideline,
    )
    from ._lookup import (
        drug,
        drugs,
        guideline,
    )
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
    from ._monitoring import (
        MAX_SCHEDULE_MONTHS,
        Schedule,
        Visit,
        add_months,
        monitoring_schedule,
    )
    from ._queries import (
        evidence,
        recommendations,
    )
    from ._research import (
        evidence_frame,
    )
    from ._schema import (
        schema,
    )
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
    "MIN_BODY_WEIGHT_KG",
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
    "MissingExtraError",
    "Monitoring",
    "Outcome",
    "Pathway",
    "Patient",
    "Phase",
    "Phototherapy",
    "Population",
    "Recommendation",
    "Reference",
    "Schedule",
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
    "evidence_frame",
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

# Each public name and the private module that defines it.  Modules are imported on
# first use of one of their names (PEP 562), so that ``import ae_systemic`` stays light
# and a program that only doses never imports the assessment, schema or FHIR code.
_EXPORTS: dict[str, str] = {
    "DEFAULT_ADULT_FROM_YEARS": "._assessment",
    "MAX_AGE_YEARS": "._dosing",
    "MAX_BODY_WEIGHT_KG": "._dosing",
    "MIN_BODY_WEIGHT_KG": "._dosing",
    "MAX_PACK_BYTES": "._loading",
    "MAX_SCHEDULE_MONTHS": "._monitoring",
    "AeSystemicError": "._errors",
    "Amount": "._model",
    "Arm": "._model",
    "Assessment": "._assessment",
    "Certainty": "._vocabulary",
    "CoMedication": "._assessment",
    "Combination": "._model",
    "CombinationAdvice": "._vocabulary",
    "Comparison": "._model",
    "ComparisonResult": "._vocabulary",
    "Consensus": "._vocabulary",
    "ConsensusBasis": "._vocabulary",
    "ConsensusBound": "._vocabulary",
    "DataError": "._errors",
    "DataProblem": "._errors",
    "DoseInputError": "._errors",
    "DoseLevel": "._vocabulary",
    "DosePlan": "._dose_plan",
    "DoseRange": "._dosing",
    "DoseRate": "._model",
    "DoseRegimen": "._model",
    "Drug": "._model",
    "EffectEstimate": "._model",
    "Finding": "._assessment",
    "FindingKind": "._assessment",
    "FixedDose": "._model",
    "Guideline": "._model",
    "InputError": "._errors",
    "Interaction": "._model",
    "Interval": "._model",
    "JSONValue": "._converter",
    "Licence": "._model",
    "Measure": "._vocabulary",
    "MissingExtraError": "._errors",
    "Monitoring": "._model",
    "Outcome": "._vocabulary",
    "Pathway": "._vocabulary",
    "Patient": "._assessment",
    "Phase": "._vocabulary",
    "Phototherapy": "._vocabulary",
    "Population": "._vocabulary",
    "Recommendation": "._model",
    "Reference": "._model",
    "Screening": "._model",
    "SpecialPopulation": "._model",
    "Statement": "._model",
    "Strength": "._vocabulary",
    "UnknownDrugError": "._errors",
    "Schedule": "._monitoring",
    "Visit": "._monitoring",
    "WeightBand": "._model",
    "add_months": "._monitoring",
    "assess": "._assessment",
    "daily_dose": "._dosing",
    "dose_plan": "._dose_plan",
    "drug": "._lookup",
    "drugs": "._lookup",
    "evidence": "._queries",
    "evidence_frame": "._research",
    "guideline": "._lookup",
    "is_licensed": "._dosing",
    "load_guideline": "._loading",
    "monitoring_schedule": "._monitoring",
    "population_for": "._assessment",
    "recommendations": "._queries",
    "round_to_strengths": "._dosing",
    "schema": "._schema",
    "structure": "._converter",
    "unstructure": "._converter",
}


if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name is an error

    def __getattr__(name: str) -> object:
        try:
            module = _EXPORTS[name]
        except KeyError:
            raise AttributeError(f"module 'ae_systemic' has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
