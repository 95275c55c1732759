"""CDS Hooks cards: an assessment's findings as the cards a health record shows at order time.

A card (CDS Hooks, "CDS Service Response") has a one-sentence ``summary`` under 140
characters, an ``indicator`` (``info``, ``warning`` or ``critical``), a ``detail`` in
GitHub-flavoured Markdown, a ``source`` and a ``uuid``.  Which findings become cards and
with which indicator is this library's choice (:data:`INDICATORS`), not the guideline's:
the guideline grades recommendations, not the urgency of an alert.  The detail carries the
finding's own wording (built from the content), the numbers of a dose check and the
references cited; no card carries a suggestion (see ``docs/cds-hooks.md``).
"""

from __future__ import annotations

import re
import types
import uuid
from collections.abc import Mapping, Sequence
from typing import Final

import attrs

from ._assessment import Assessment, Finding, FindingKind
from ._converter import JSONValue
from ._dosing import range_text
from ._errors import AeSystemicError, ArgumentTypeError, InputError, shown
from ._lookup import drug as find_drug
from ._lookup import guideline
from ._model import Drug, Reference
from ._prescription import DoseCheck, Prescription, shown_figures, shown_ranges
from ._text import counted, decimals, sentence
from ._validators import text_problem
from ._vocabulary import DoseStatus

__all__ = [
    "CARD_KINDS",
    "GROUPED_KINDS",
    "INDICATORS",
    "MAX_SUMMARY",
    "NOT_CHECKED_INDICATOR",
    "PREGNANCY_NOT_KNOWN_INDICATOR",
    "SEVERAL_ORDERS_INDICATOR",
    "CardSource",
    "card_uuid",
    "cards",
    "markdown_text",
    "not_checked_card",
    "pregnancy_not_known_card",
    "several_orders_card",
    "uncounted_order_card",
]

#: The indicator of the card of each kind of finding: **this library's choice**, not the
#: guideline's (it grades recommendations, not alerts).  ``warning`` where the order or the
#: patient's situation goes against what the guideline says (a dose above the range, a
#: combination it says not to make, an interaction it names); ``info`` for the rest.  No
#: finding is ``critical``: the guideline's ciclosporin section names no absolute
#: contraindication for these checks.  Kinds not listed (safety, monitoring, screening,
#: recommended combinations: the same for every patient) make no card.
INDICATORS: Final[Mapping[FindingKind, str]] = types.MappingProxyType(
    {
        FindingKind.DOSE_ABOVE_RANGE: "warning",
        FindingKind.DOSE_BELOW_RANGE: "info",
        FindingKind.DOSE_FREQUENCY: "info",
        FindingKind.OFF_LABEL: "info",
        FindingKind.AVOID_COMBINATION: "warning",
        FindingKind.INTERACTION: "warning",
        FindingKind.INTERACTION_NOT_CHECKED: "info",
        FindingKind.PREGNANCY: "info",
        FindingKind.CHILDREN: "info",
    }
)

#: The kinds of finding that become cards (the keys of :data:`INDICATORS`).
CARD_KINDS: Final = frozenset(INDICATORS)

#: Kinds whose findings are the statements of one special population: one card holds
#: them all (four pregnancy cards for one order would bury the others).
GROUPED_KINDS: Final = frozenset({FindingKind.PREGNANCY, FindingKind.CHILDREN})

#: The longest summary, in characters: the specification asks for fewer than 140.
MAX_SUMMARY: Final = 139

#: The indicator of a card saying an order could not be checked (a choice of this library:
#: the clinician should know the check did not happen).
NOT_CHECKED_INDICATOR: Final = "warning"

#: The indicator of the card saying the pregnancy status is not known from the record, so the
#: guideline's statements on pregnancy were not checked (a choice of this library: ``info``,
#: as the card of those statements for a pregnant patient).
PREGNANCY_NOT_KNOWN_INDICATOR: Final = "info"

#: The indicator of the card saying a patient has several orders of the drug at once (a
#: choice of this library): each order checked alone may mislead, as the guideline's range
#: is for the whole daily dose, and one order may duplicate another.
SEVERAL_ORDERS_INDICATOR: Final = "warning"

#: The namespace of the cards' deterministic UUIDs (version 5).
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ae-systemic:cds-hooks:card")
_URL: Final = re.compile(r"https?://[^\s/?#]+[^\s]*")
#: Markdown's characters, and those by which GFM finds a link in plain text (``https://``,
#: ``mailto:``, ``xmpp:``, ``x@y``, ``www.``): escaped, record text shows as written and never
#: becomes a link.
_MARKDOWN: Final = re.compile(
    r"([\\`*_\[\]<>#!|~&@]|:(?=//)|(?<=mailto):|(?<=xmpp):|(?<=www)\.)", re.IGNORECASE
)
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def _label(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(attribute.name, f"expected a string, got {shown(value)}")
    if not value.strip() or len(value) > 200:
        raise InputError(attribute.name, "expected a short label (1 to 200 characters)")
    problem = text_problem(value)
    if problem is not None:
        raise InputError(attribute.name, problem)


def _url(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ArgumentTypeError(attribute.name, f"expected a URL string, got {shown(value)}")
    if not _URL.fullmatch(value):
        raise InputError(
            attribute.name,
            f"expected an absolute http(s) URL such as 'https://example.org/guideline', "
            f"got {shown(value)}",
        )


@attrs.frozen
class CardSource:
    """The ``source`` of every card: a ``label`` and, where the deployer gives them, URLs.

    ``url`` (what a user opens to learn about the source) and ``icon`` (a 100×100 PNG)
    are absolute http(s) URLs; the library ships neither.  :meth:`default` is the
    guideline's own label, as the content records it.
    """

    label: str = attrs.field(validator=_label)
    url: str | None = attrs.field(default=None, validator=_url)
    icon: str | None = attrs.field(default=None, validator=_url)

    @classmethod
    def default(cls) -> CardSource:
        """The guideline's short title (and edition, where the content states one)."""
        content = guideline()
        label = content.short_title
        if content.edition:
            label = f"{label}, {content.edition}"
        return cls(label)

    def as_json(self) -> dict[str, JSONValue]:
        """The card's ``source`` object."""
        data: dict[str, JSONValue] = {"label": self.label}
        if self.url is not None:
            data["url"] = self.url
        if self.icon is not None:
            data["icon"] = self.icon
        return data


def card_uuid(*parts: str) -> str:
    """A UUID (version 5) determined by ``parts``: the same call always gives the same card id."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown text: one line, its Markdown characters escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _drug(name: str) -> Drug | None:
    try:
        return find_drug(name)
    except AeSystemicError:  # a drug of a data pack: its references are not known here
        return None


def _references(drug: Drug | None, numbers: Sequence[int]) -> list[str]:
    if not numbers:
        return []
    known: dict[int, Reference] = {} if drug is None else {r.number: r for r in drug.references}
    lines = ["", "**References**", ""]
    for n in numbers:
        ref = known.get(n)
        if ref is None:
            lines.append(f"- \\[{n}\\]")
        else:
            citation = str(ref).removeprefix(f"{ref.number}. ")  # the model's one wording
            lines.append(f"- \\[{n}\\] {markdown_text(citation)}")
    return lines


def _summary(drug: str, kind: FindingKind, messages: Sequence[str]) -> str:
    name = sentence(drug)
    if kind in GROUPED_KINDS:
        count = counted(len(messages), "statement")
        verb = "applies" if len(messages) == 1 else "apply"
        text = f"{name}, {kind.label}: {count} of the guideline {verb} to this patient."
    else:
        first = " ".join(_SENTENCE_END.split(messages[0], maxsplit=1)[0].split())
        text = first if drug.casefold() in first.casefold() else f"{name}: {first}"
    if len(text) > MAX_SUMMARY:
        text = f"{name}: {kind.label} (see the details)."
    return text[:MAX_SUMMARY]


def _dose_lines(assessment: Assessment, check: DoseCheck) -> list[str]:
    prescribed = f"{check.prescription}, {shown_figures(check)[1]} mg/kg/day"
    guideline_range = range_text(check.range, *shown_ranges(check.range, check))
    population = f"{assessment.population} ({assessment.population_basis})"
    lines = [
        "",
        f"- **Prescribed:** {markdown_text(prescribed)}",
        f"- **The guideline's range:** {markdown_text(guideline_range)}",
        f"- **Population:** {markdown_text(population)}",
    ]
    if check.range.fallback:
        lines.append(f"- **Note:** {markdown_text(check.range.fallback)}")
    return lines


def _detail(
    assessment: Assessment,
    kind: FindingKind,
    findings: Sequence[Finding],
    check: DoseCheck | None,
    order: str | None,
) -> str:
    drug = _drug(assessment.drug)
    lines = [f"**{markdown_text(sentence(kind.label))}** ({markdown_text(assessment.drug)})", ""]
    if len(findings) == 1:
        lines.append(markdown_text(findings[0].message))
    else:
        for finding in findings:
            refs = f" \\[refs {', '.join(map(str, finding.references))}\\]" * bool(
                finding.references
            )
            lines.append(f"- {markdown_text(finding.message)}{refs}")
    if check is not None and kind in (
        FindingKind.DOSE_ABOVE_RANGE,
        FindingKind.DOSE_BELOW_RANGE,
        FindingKind.DOSE_FREQUENCY,
    ):
        lines += _dose_lines(assessment, check)
    if order is not None:
        lines += ["", f"Order: {markdown_text(order[:80])}"]
    numbers = sorted({n for f in findings for n in f.references})
    lines += _references(drug, numbers)
    return "\n".join(lines)


def _card(
    summary: str, indicator: str, detail: str, source: CardSource, card_id: str
) -> dict[str, JSONValue]:
    return {
        "uuid": card_id,
        "summary": summary,
        "indicator": indicator,
        "detail": detail,
        "source": source.as_json(),
    }


def _indicator(kind: FindingKind, check: DoseCheck | None) -> str:
    """The card's indicator: :data:`INDICATORS`', but a warning for administrations above
    the range's single doses (2450 mg once a week, 350 mg a day: each one 14 times the top
    of a single dose), as for a daily dose outside the range."""
    if (
        kind is FindingKind.DOSE_FREQUENCY
        and check is not None
        and check.single_dose_status is DoseStatus.ABOVE
    ):
        return INDICATORS[FindingKind.DOSE_ABOVE_RANGE]
    return INDICATORS[kind]


def cards(
    assessment: Assessment,
    *,
    dose_check: DoseCheck | None = None,
    source: CardSource | None = None,
    hook_instance: str | None = None,
    order: str | None = None,
) -> list[dict[str, JSONValue]]:
    """The CDS Hooks cards of ``assessment``'s findings, in the order of the findings.

    One card per finding of the kinds in :data:`INDICATORS` (the statements on pregnancy,
    and on children and adolescents, one card per group), with that indicator (this
    library's choice).  ``dose_check`` (default ``assessment.dose_check``) gives the dose
    cards their numbers: the prescription, its amount per kg and the guideline's range.
    ``source`` defaults to :meth:`CardSource.default`.  With ``hook_instance`` (and
    ``order``, the order's ``MedicationRequest/id``), each ``uuid`` is a version-5 UUID of
    them and the finding, the same on every call; without, a random one (version 4).
    Cards carry no ``suggestions``: the guideline names a range, not a dose to give.
    """
    if not isinstance(assessment, Assessment):
        raise ArgumentTypeError(
            "assessment", f"expected an Assessment, got {type(assessment).__name__}"
        )
    if dose_check is not None and not isinstance(dose_check, DoseCheck):
        raise ArgumentTypeError(
            "dose_check", f"expected a DoseCheck or None, got {type(dose_check).__name__}"
        )
    if source is not None and not isinstance(source, CardSource):
        raise ArgumentTypeError(
            "source", f"expected a CardSource or None, got {type(source).__name__}"
        )
    for argument, value in (("hook_instance", hook_instance), ("order", order)):
        if value is not None and not isinstance(value, str):
            raise ArgumentTypeError(argument, f"expected a string or None, got {shown(value)}")
    check = assessment.dose_check if dose_check is None else dose_check
    chosen = CardSource.default() if source is None else source
    groups: dict[tuple[FindingKind, int], list[Finding]] = {}
    for index, finding in enumerate(assessment.findings):
        if finding.kind not in INDICATORS:
            continue
        key = (finding.kind, -1 if finding.kind in GROUPED_KINDS else index)
        groups.setdefault(key, []).append(finding)
    result = []
    for (kind, _), findings in groups.items():
        messages = [f.message for f in findings]
        if hook_instance is None:
            card_id = str(uuid.uuid4())
        else:
            card_id = card_uuid(hook_instance, order or "", kind.value, *messages)
        result.append(
            _card(
                _summary(assessment.drug, kind, messages),
                _indicator(kind, check),
                _detail(assessment, kind, findings, check, order),
                chosen,
                card_id,
            )
        )
    return result


def not_checked_card(
    drug: str,
    reason: str,
    *,
    source: CardSource | None = None,
    hook_instance: str | None = None,
    order: str | None = None,
) -> dict[str, JSONValue]:
    """The card of an order that could not be checked against the guideline, and why.

    Indicator :data:`NOT_CHECKED_INDICATOR` (``warning``, this library's choice): the
    prescriber should know that no check took place.
    """
    return _reason_card(
        f"**Not checked** ({markdown_text(drug)})",
        f"This order could not be checked against the guideline: {markdown_text(reason)}",
        f"{sentence(drug)} order not checked against the guideline: see the details for why.",
        NOT_CHECKED_INDICATOR,
        ("not-checked", reason),
        source=source,
        hook_instance=hook_instance,
        order=("Order", order),
    )


def pregnancy_not_known_card(
    drug: Drug,
    *,
    reason: str | None = None,
    source: CardSource | None = None,
    hook_instance: str | None = None,
    order: str | None = None,
) -> dict[str, JSONValue] | None:
    """The card of a record from which the pregnancy status is not known, with the
    guideline's statements on pregnancy.

    A :class:`~ae_systemic.Patient` needs a pregnancy status, so the check read the patient
    as not pregnant; this card says so, gives ``reason`` (what the record holds:
    :attr:`~ae_systemic.fhir.PatientRecord.pregnancy_note`) and lists what the guideline says
    on pregnancy for ``drug``.  ``None`` when the guideline says nothing on pregnancy for
    it.  Indicator :data:`PREGNANCY_NOT_KNOWN_INDICATOR` (``info``, this library's choice).
    No patient is left out by age or gender: the guideline gives no rule for who may be
    pregnant, and a record's administrative gender is not the patient's sex.
    """
    statements = [
        statement
        for population in drug.special_populations
        if population.group == "pregnancy"
        for statement in population.statements
    ]
    if not statements:
        return None
    chosen = CardSource.default() if source is None else source
    lines = [
        f"**Pregnancy status not known** ({markdown_text(drug.name)})",
        "",
        "The record gives no pregnancy status that can be used (pregnant or not pregnant, "
        "LOINC 82810-3), so the check read the patient as not pregnant and did not show the "
        "guideline's statements on pregnancy. Should the patient be pregnant, they are:",
        "",
    ]
    for statement in statements:
        refs = f" \\[refs {', '.join(map(str, statement.references))}\\]" * bool(
            statement.references
        )
        lines.append(f"- {markdown_text(statement.text)}{refs}")
    if reason is not None:
        lines += ["", f"What the record holds: {markdown_text(reason)}"]
    if order is not None:
        lines += ["", f"Order: {markdown_text(order[:80])}"]
    lines += _references(drug, sorted({n for s in statements for n in s.references}))
    card_id = (
        str(uuid.uuid4())
        if hook_instance is None
        else card_uuid(hook_instance, order or "", "pregnancy-not-known")
    )
    summary = (
        f"{sentence(drug.name)}: the pregnancy status is not known from the record, so the "
        "guideline's statements on pregnancy were not checked."
    )
    return _card(
        summary[:MAX_SUMMARY],
        PREGNANCY_NOT_KNOWN_INDICATOR,
        "\n".join(lines),
        chosen,
        card_id,
    )


@attrs.frozen
class OrderDose:
    """One of several orders of a drug: its label, where it comes from, and its daily dose.

    ``origin`` is ``"draft"`` (an order of this session) or ``"active"`` (in the record);
    ``prescription`` is ``None`` when its dosage could not be read, and ``reason`` says why.
    """

    label: str
    origin: str
    prescription: Prescription | None
    reason: str | None = None


def uncounted_order_card(
    drug: str,
    reason: str,
    *,
    source: CardSource | None = None,
    hook_instance: str | None = None,
    order: str | None = None,
) -> dict[str, JSONValue]:
    """The card of an order of the record that may be one more order of ``drug``, not
    counted in the daily total (its codes and texts name ``drug`` and another medicine).

    Indicator :data:`SEVERAL_ORDERS_INDICATOR` (``warning``, this library's choice): the
    daily total of the orders may be higher than the one checked.
    """
    return _reason_card(
        f"**Order of the record not counted** ({markdown_text(drug)})",
        f"{markdown_text(sentence(reason))}. The daily total of the orders of "
        f"{markdown_text(drug)} may be higher than the one checked; correct the order's codes "
        "or text, or check the total by hand.",
        f"{sentence(drug)}: an order of the record may be one more order of {drug}, not "
        "counted in the daily total.",
        SEVERAL_ORDERS_INDICATOR,
        ("uncounted-order", reason),
        source=source,
        hook_instance=hook_instance,
        order=("Order being checked", order),
    )


def _reason_card(
    title: str,
    body: str,
    summary: str,
    indicator: str,
    kind: tuple[str, str],
    *,
    source: CardSource | None,
    hook_instance: str | None,
    order: tuple[str, str | None],
) -> dict[str, JSONValue]:
    """A card that says one thing and why: a title, a paragraph, the order it is about.

    ``kind`` (the card's kind and reason) and the order make its stable id within
    ``hook_instance``; without one, an id at random.
    """
    chosen = CardSource.default() if source is None else source
    lines = [title, "", body]
    heading, label = order
    if label is not None:
        lines += ["", f"{heading}: {markdown_text(label[:80])}"]
    card_id = (
        str(uuid.uuid4()) if hook_instance is None else card_uuid(hook_instance, label or "", *kind)
    )
    return _card(summary[:MAX_SUMMARY], indicator, "\n".join(lines), chosen, card_id)


def several_orders_card(
    drug: str,
    orders: Sequence[OrderDose],
    total: DoseCheck | Prescription | None,
    *,
    source: CardSource | None = None,
    hook_instance: str | None = None,
    not_compared: str = "the record gives no body weight to use",
    not_added: str = "not added up, as the dosage of an order could not be read",
) -> dict[str, JSONValue]:
    """The card of a patient with several orders of ``drug`` at once, and their daily total.

    ``total`` is the :class:`DoseCheck` of the orders' amounts a day added up (against the
    range for the patient), the total alone when no range could be had (``not_compared``
    says why: no body weight, say), or ``None`` when the total cannot be had
    (``not_added`` says why: an order's dosage could not be read, say).
    Indicator :data:`SEVERAL_ORDERS_INDICATOR` (``warning``, this library's choice).
    """
    chosen = CardSource.default() if source is None else source
    name = sentence(drug)
    count = counted(len(orders), "order")
    lines = [
        f"**Several orders** ({markdown_text(drug)})",
        "",
        f"This patient has {count} of {markdown_text(drug)} at once. The guideline's dose "
        "range is for the whole daily dose, so a check of each order alone may mislead; "
        "one order may also replace or repeat another.",
        "",
    ]
    for order in orders:
        where = "draft, being ordered" if order.origin == "draft" else "active, in the record"
        if order.prescription is None:
            dose = f"not read: {order.reason}"
        else:
            dose = str(order.prescription)
        lines.append(f"- {markdown_text(order.label[:80])} ({where}): {markdown_text(dose)}")
    lines.append("")
    if isinstance(total, DoseCheck):
        lines.append(f"Together: {markdown_text(total.message)}")
        summary = (
            f"{name}: {count} at once, together {shown_figures(total)[0]} "
            f"mg/day, {total.status} of the guideline."
        )
    elif isinstance(total, Prescription):
        lines.append(
            f"Together: {markdown_text(decimals(total.daily_mg))} mg/day (not compared with "
            f"the guideline's range: {markdown_text(not_compared)})."
        )
        summary = f"{name}: {count} at once, together {decimals(total.daily_mg)} mg/day."
    else:
        lines.append(f"Together: {markdown_text(not_added)}.")
        summary = f"{name}: {count} at once; the guideline's range is for the whole daily dose."
    if len(summary) > MAX_SUMMARY:
        summary = f"{name}: {count} at once (see the details)."
    card_id = (
        str(uuid.uuid4())
        if hook_instance is None
        else card_uuid(hook_instance, "several-orders", *(o.label for o in orders))
    )
    return _card(summary[:MAX_SUMMARY], SEVERAL_ORDERS_INDICATOR, "\n".join(lines), chosen, card_id)
