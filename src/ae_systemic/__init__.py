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

from ._version import __version__ as __version__

# The public API: each public name and the private module that defines it, listed once.
# Modules are imported on first use of one of their names (PEP 562), so that
# ``import ae_systemic`` stays light and a program that only doses never imports the
# assessment, schema or FHIR code.  ``tests/api_snapshot.txt`` pins the names and their
# signatures; a test checks that the block below, which type checkers read, agrees.
_EXPORTS: dict[str, str] = {
    # ._errors
    "AeSystemicError": "._errors",
    "ArgumentError": "._errors",
    "ArgumentTypeError": "._errors",
    "DataError": "._errors",
    "DataProblem": "._errors",
    "DoseInputError": "._errors",
    "InputError": "._errors",
    "MissingExtraError": "._errors",
    "NotFoundError": "._errors",
    "UnknownDrugError": "._errors",
    # ._units
    "MAX_AGE_YEARS": "._units",
    "MAX_BODY_WEIGHT_KG": "._units",
    "MIN_BODY_WEIGHT_KG": "._units",
    "QuantityLike": "._units",
    "application_registry": "._units",
    # ._vocabulary
    "Certainty": "._vocabulary",
    "CombinationAdvice": "._vocabulary",
    "ComparisonResult": "._vocabulary",
    "Consensus": "._vocabulary",
    "ConsensusBasis": "._vocabulary",
    "ConsensusBound": "._vocabulary",
    "DoseLevel": "._vocabulary",
    "DoseStatus": "._vocabulary",
    "Measure": "._vocabulary",
    "Outcome": "._vocabulary",
    "Pathway": "._vocabulary",
    "Phase": "._vocabulary",
    "Phototherapy": "._vocabulary",
    "Population": "._vocabulary",
    "Strength": "._vocabulary",
    # ._model
    "Amount": "._model",
    "Arm": "._model",
    "Combination": "._model",
    "Comparison": "._model",
    "DoseRate": "._model",
    "DoseRegimen": "._model",
    "Drug": "._model",
    "EffectEstimate": "._model",
    "FixedDose": "._model",
    "Guideline": "._model",
    "Interaction": "._model",
    "Interval": "._model",
    "Licence": "._model",
    "Monitoring": "._model",
    "Recommendation": "._model",
    "Reference": "._model",
    "Screening": "._model",
    "SpecialPopulation": "._model",
    "Statement": "._model",
    "WeightBand": "._model",
    # ._converter
    "JSONValue": "._converter",
    "structure": "._converter",
    "unstructure": "._converter",
    # ._schema
    "schema": "._schema",
    # ._loading
    "MAX_PACK_BYTES": "._loading",
    "load_guideline": "._loading",
    # ._lookup
    "drug": "._lookup",
    "drugs": "._lookup",
    "guideline": "._lookup",
    # ._queries
    "evidence": "._queries",
    "recommendations": "._queries",
    # ._dosing
    "MAX_UNITS_PER_DOSE": "._dosing",
    "DoseRange": "._dosing",
    "daily_dose": "._dosing",
    "is_licensed": "._dosing",
    "round_to_strengths": "._dosing",
    "strength_units": "._dosing",
    # ._dose_plan
    "DosePlan": "._dose_plan",
    "dose_plan": "._dose_plan",
    # ._patient
    "DEFAULT_ADULT_FROM_YEARS": "._patient",
    "CoMedication": "._patient",
    "Patient": "._patient",
    "population_for": "._patient",
    # ._prescription
    "MAX_AMOUNT_PER_ADMINISTRATION_MG": "._prescription",
    "DoseCheck": "._prescription",
    "Prescription": "._prescription",
    "check_dose": "._prescription",
    # ._assessment
    "Assessment": "._assessment",
    "Finding": "._assessment",
    "FindingKind": "._assessment",
    "assess": "._assessment",
    # ._monitoring
    "MAX_SCHEDULE_MONTHS": "._monitoring",
    "Schedule": "._monitoring",
    "Visit": "._monitoring",
    "add_months": "._monitoring",
    "monitoring_schedule": "._monitoring",
    # ._research
    "evidence_frame": "._research",
    # ._cohort
    "assess_table": "._cohort",
    "summarize": "._cohort",
}

__all__ = [*_EXPORTS]

if TYPE_CHECKING:  # what type checkers see: the same names, re-exported explicitly
    from ._assessment import (
        Assessment as Assessment,
    )
    from ._assessment import (
        Finding as Finding,
    )
    from ._assessment import (
        FindingKind as FindingKind,
    )
    from ._assessment import (
        assess as assess,
    )
    from ._cohort import (
        assess_table as assess_table,
    )
    from ._cohort import (
        summarize as summarize,
    )
    from ._converter import (
        JSONValue as JSONValue,
    )
    from ._converter import (
        structure as structure,
    )
    from ._converter import (
        unstructure as unstructure,
    )
    from ._dose_plan import (
        DosePlan as DosePlan,
    )
    from ._dose_plan import (
        dose_plan as dose_plan,
    )
    from ._dosing import (
        MAX_UNITS_PER_DOSE as MAX_UNITS_PER_DOSE,
    )
    from ._dosing import (
        DoseRange as DoseRange,
    )
    from ._dosing import (
        daily_dose as daily_dose,
    )
    from ._dosing import (
        is_licensed as is_licensed,
    )
    from ._dosing import (
        round_to_strengths as round_to_strengths,
    )
    from ._dosing import (
        strength_units as strength_units,
    )
    from ._errors import (
        AeSystemicError as AeSystemicError,
    )
    from ._errors import (
        ArgumentError as ArgumentError,
    )
    from ._errors import (
        ArgumentTypeError as ArgumentTypeError,
    )
    from ._errors import (
        DataError as DataError,
    )
    from ._errors import (
        DataProblem as DataProblem,
    )
    from ._errors import (
        DoseInputError as DoseInputError,
    )
    from ._errors import (
        InputError as InputError,
    )
    from ._errors import (
        MissingExtraError as MissingExtraError,
    )
    from ._errors import (
        NotFoundError as NotFoundError,
    )
    from ._errors import (
        UnknownDrugError as UnknownDrugError,
    )
    from ._loading import (
        MAX_PACK_BYTES as MAX_PACK_BYTES,
    )
    from ._loading import (
        load_guideline as load_guideline,
    )
    from ._lookup import (
        drug as drug,
    )
    from ._lookup import (
        drugs as drugs,
    )
    from ._lookup import (
        guideline as guideline,
    )
    from ._model import (
        Amount as Amount,
    )
    from ._model import (
        Arm as Arm,
    )
    from ._model import (
        Combination as Combination,
    )
    from ._model import (
        Comparison as Comparison,
    )
    from ._model import (
        DoseRate as DoseRate,
    )
    from ._model import (
        DoseRegimen as DoseRegimen,
    )
    from ._model import (
        Drug as Drug,
    )
    from ._model import (
        EffectEstimate as EffectEstimate,
    )
    from ._model import (
        FixedDose as FixedDose,
    )
    from ._model import (
        Guideline as Guideline,
    )
    from ._model import (
        Interaction as Interaction,
    )
    from ._model import (
        Interval as Interval,
    )
    from ._model import (
        Licence as Licence,
    )
    from ._model import (
        Monitoring as Monitoring,
    )
    from ._model import (
        Recommendation as Recommendation,
    )
    from ._model import (
        Reference as Reference,
    )
    from ._model import (
        Screening as Screening,
    )
    from ._model import (
        SpecialPopulation as SpecialPopulation,
    )
    from ._model import (
        Statement as Statement,
    )
    from ._model import (
        WeightBand as WeightBand,
    )
    from ._monitoring import (
        MAX_SCHEDULE_MONTHS as MAX_SCHEDULE_MONTHS,
    )
    from ._monitoring import (
        Schedule as Schedule,
    )
    from ._monitoring import (
        Visit as Visit,
    )
    from ._monitoring import (
        add_months as add_months,
    )
    from ._monitoring import (
        monitoring_schedule as monitoring_schedule,
    )
    from ._patient import (
        DEFAULT_ADULT_FROM_YEARS as DEFAULT_ADULT_FROM_YEARS,
    )
    from ._patient import (
        CoMedication as CoMedication,
    )
    from ._patient import (
        Patient as Patient,
    )
    from ._patient import (
        population_for as population_for,
    )
    from ._prescription import (
        MAX_AMOUNT_PER_ADMINISTRATION_MG as MAX_AMOUNT_PER_ADMINISTRATION_MG,
    )
    from ._prescription import (
        DoseCheck as DoseCheck,
    )
    from ._prescription import (
        Prescription as Prescription,
    )
    from ._prescription import (
        check_dose as check_dose,
    )
    from ._queries import (
        evidence as evidence,
    )
    from ._queries import (
        recommendations as recommendations,
    )
    from ._research import (
        evidence_frame as evidence_frame,
    )
    from ._schema import (
        schema as schema,
    )
    from ._units import (
        MAX_AGE_YEARS as MAX_AGE_YEARS,
    )
    from ._units import (
        MAX_BODY_WEIGHT_KG as MAX_BODY_WEIGHT_KG,
    )
    from ._units import (
        MIN_BODY_WEIGHT_KG as MIN_BODY_WEIGHT_KG,
    )
    from ._units import (
        QuantityLike as QuantityLike,
    )
    from ._units import (
        application_registry as application_registry,
    )
    from ._vocabulary import (
        Certainty as Certainty,
    )
    from ._vocabulary import (
        CombinationAdvice as CombinationAdvice,
    )
    from ._vocabulary import (
        ComparisonResult as ComparisonResult,
    )
    from ._vocabulary import (
        Consensus as Consensus,
    )
    from ._vocabulary import (
        ConsensusBasis as ConsensusBasis,
    )
    from ._vocabulary import (
        ConsensusBound as ConsensusBound,
    )
    from ._vocabulary import (
        DoseLevel as DoseLevel,
    )
    from ._vocabulary import (
        DoseStatus as DoseStatus,
    )
    from ._vocabulary import (
        Measure as Measure,
    )
    from ._vocabulary import (
        Outcome as Outcome,
    )
    from ._vocabulary import (
        Pathway as Pathway,
    )
    from ._vocabulary import (
        Phase as Phase,
    )
    from ._vocabulary import (
        Phototherapy as Phototherapy,
    )
    from ._vocabulary import (
        Population as Population,
    )
    from ._vocabulary import (
        Strength as Strength,
    )


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
