"""Demonstration: ``python -m ae_systemic`` prints what the guideline says about ciclosporin.

It prints the same reports as the command line (``ae-systemic show``, ``dose`` and
``assess``), through the same renderer (:mod:`ae_systemic._report`): the whole section,
then one worked dose and one worked assessment.
"""

from __future__ import annotations

import sys

from ._assessment import assess
from ._cli import use_utf8_streams, write_output
from ._dosing import daily_dose
from ._lookup import drug, guideline
from ._patient import CoMedication, Patient
from ._report import assessment_report, dose_lines, drug_report
from ._vocabulary import Pathway, Phase, Phototherapy


def main() -> int:
    """Print the demonstration, in UTF-8 whatever the locale says; return the exit code."""
    use_utf8_streams()
    subject = drug("ciclosporin")
    dose = daily_dose(subject, "70 kg", phase=Phase.ACUTE)
    patient = Patient(
        age="30 years",
        weight="65 kg",
        pregnant=True,
        phototherapy=frozenset({Phototherapy.UVB}),
        co_medications=(CoMedication("co-medication A", frozenset({Pathway.CYP3A4})),),
    )
    sections = [
        drug_report(subject, guideline()),
        "\n".join(
            [
                "Worked dose (ae-systemic dose ciclosporin --weight 70kg --phase acute)",
                f"{subject.name}: adults, 70 kg; {Phase.ACUTE}",
                *dose_lines(dose),
            ]
        ),
        "Worked assessment (ae-systemic assess ciclosporin --age 30y --weight 65kg --pregnant "
        "--uvb --co-medication 'co-medication A:CYP3A4')\n"
        + assessment_report(assess(subject, patient), patient, subject),
    ]
    return 0 if write_output("\n\n".join(sections)) else 1


if __name__ == "__main__":
    sys.exit(main())
