"""The project's own extensions are defined, and every URL of the project derives from one base.

``to_definitions()`` is a ``Bundle`` of R5 ``StructureDefinition`` s, valid by
``fhir.resources``, that defines exactly the extensions of this project that the bundles
use, for exactly the elements they use them on.  ``base_url`` (default ``BASE_URL``, under
the project's home page) is the one root of every ``fullUrl``, canonical URL and extension
URL; another base changes them all and keeps references resolving, and a base that is no
absolute http(s) URL is refused.
"""

from __future__ import annotations

import json
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.structuredefinition import StructureDefinition

import ae_systemic
from ae_systemic import ArgumentTypeError, ConsensusBasis, ConsensusBound, Drug, InputError
from ae_systemic.fhir import (
    BASE_URL,
    CONSENSUS_EXTENSION_URL,
    SOURCE_LOCATION_EXTENSION_URL,
    to_bundle,
    to_definitions,
)
from test_fhir import check_valid_r5, plain, resources, walk

ROOT = Path(__file__).resolve().parent.parent
OTHER_BASE = "http://fhir.example.org/r5/ae"


@pytest.fixture(scope="module")
def definitions() -> Any:
    return plain(to_definitions())


def extension_uses(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(url, element path) for every extension below ``value``, whose own path is ``path``."""
    if isinstance(value, list):
        for item in value:
            yield from extension_uses(item, path)
    elif isinstance(value, dict):
        for extension in value.get("extension", []):
            yield extension["url"], path
        for key, item in value.items():
            if key not in ("extension", "resourceType"):
                yield from extension_uses(item, f"{path}.{key}")


def uses_in(bundle: Any) -> dict[str, set[str]]:
    """Every extension URL of the bundle with the element paths it is used on."""
    found: dict[str, set[str]] = {}
    for resource in resources(bundle):
        for url, path in extension_uses(resource, resource["resourceType"]):
            found.setdefault(url, set()).add(path)
    return found


def by_url(definitions: Any) -> dict[str, Any]:
    return {r["url"]: r for r in resources(definitions)}


# --- the definitions ----------------------------------------------------------------------


def test_the_definitions_are_valid_r5_structure_definitions(definitions: Any) -> None:
    Bundle.model_validate(definitions)
    assert definitions["type"] == "collection"
    for resource in resources(definitions):
        StructureDefinition.model_validate(resource)
        assert resource["kind"] == "complex-type"
        assert resource["type"] == "Extension"
        assert resource["derivation"] == "constraint"
        assert resource["baseDefinition"] == "http://hl7.org/fhir/StructureDefinition/Extension"
        assert resource["fhirVersion"] == "5.0.0"
        assert resource["abstract"] is False
        assert resource["text"]["status"] == "generated"
    for entry in definitions["entry"]:
        assert entry["fullUrl"] == entry["resource"]["url"]


def test_the_definitions_define_exactly_the_project_extensions_the_bundles_use(
    definitions: Any, csa: Drug
) -> None:
    used = {
        url: paths
        for url, paths in uses_in(plain(to_bundle(ae_systemic.guideline()))).items()
        if url.startswith(BASE_URL)
    }
    assert set(used) == {CONSENSUS_EXTENSION_URL, SOURCE_LOCATION_EXTENSION_URL}
    assert set(by_url(definitions)) == set(used)
    for url, definition in by_url(definitions).items():
        contexts = {c["expression"] for c in definition["context"]}
        assert {c["type"] for c in definition["context"]} == {"element"}
        assert contexts == used[url], url


def test_the_consensus_definition_has_percent_bound_and_basis(definitions: Any) -> None:
    consensus = by_url(definitions)[CONSENSUS_EXTENSION_URL]
    elements = {e["id"]: e for e in consensus["differential"]["element"]}
    assert elements["Extension.url"]["fixedUri"] == CONSENSUS_EXTENSION_URL
    assert elements["Extension.value[x]"]["max"] == "0"
    slicing = elements["Extension.extension"]["slicing"]
    assert slicing["discriminator"] == [{"type": "value", "path": "url"}]
    for part, value_type in (("percent", "integer"), ("bound", "code"), ("basis", "code")):
        assert elements[f"Extension.extension:{part}"]["sliceName"] == part
        assert elements[f"Extension.extension:{part}"]["min"] == 1
        assert elements[f"Extension.extension:{part}.url"]["fixedUri"] == part
        value = elements[f"Extension.extension:{part}.value[x]"]
        assert value["type"] == [{"code": value_type}]
    for part, vocabulary in (("bound", ConsensusBound), ("basis", ConsensusBasis)):
        (constraint,) = elements[f"Extension.extension:{part}.value[x]"]["constraint"]
        for member in vocabulary:
            assert f"'{member.value}'" in constraint["expression"]
    percent = elements["Extension.extension:percent.value[x]"]
    assert (percent["minValueInteger"], percent["maxValueInteger"]) == (0, 100)
    for element in elements.values():
        assert element["path"] == element["id"].replace(":percent", "").replace(
            ":bound", ""
        ).replace(":basis", "")


def test_the_source_location_definition_is_a_string(definitions: Any) -> None:
    location = by_url(definitions)[SOURCE_LOCATION_EXTENSION_URL]
    elements = {e["id"]: e for e in location["differential"]["element"]}
    assert elements["Extension.url"]["fixedUri"] == SOURCE_LOCATION_EXTENSION_URL
    assert elements["Extension.value[x]"]["type"] == [{"code": "string"}]
    assert elements["Extension.extension"]["max"] == "0"


def test_two_calls_give_equal_definitions() -> None:
    assert to_definitions() == to_definitions()
    assert json.dumps(to_definitions()) == json.dumps(to_definitions())


# --- one base for every URL ---------------------------------------------------------------


def test_the_base_url_lies_under_the_pages_of_the_projects_organisation() -> None:
    """The home page's owner on GitHub publishes at {owner}.github.io."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    home = urllib.parse.urlsplit(project["urls"]["Homepage"])
    assert home.hostname == "github.com"
    owner = home.path.split("/")[1]
    assert f"https://{owner}.github.io/fhir" == BASE_URL
    assert f"{BASE_URL}/StructureDefinition/consensus" == CONSENSUS_EXTENSION_URL
    assert f"{BASE_URL}/StructureDefinition/source-location" == SOURCE_LOCATION_EXTENSION_URL


def project_urls(bundle: Any) -> list[str]:
    """Every URL the project defines in ``bundle``: full, canonical and extension URLs."""
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    urls += [value for key, value in walk(bundle) if key in ("url", "fixedUri")]
    hl7 = ("http://hl7.org/", "http://terminology.hl7.org/", "http://unitsofmeasure.org")
    reference_urls = {ref.url for drug in ae_systemic.guideline().drugs for ref in drug.references}
    return [
        u
        for u in urls
        if "/" in u and not u.startswith(hl7) and u not in reference_urls and "://" in u
    ]


@pytest.mark.parametrize("base", [OTHER_BASE, "https://example.org", "https://h.example:8443/a"])
def test_another_base_url_changes_every_url_and_references_still_resolve(base: str) -> None:
    whole = plain(to_bundle(ae_systemic.guideline(), base_url=base))
    check_valid_r5(whole)
    urls = project_urls(whole)
    assert len(urls) > 100
    assert all(u.startswith(f"{base}/") for u in urls), [u for u in urls if base not in u]
    assert BASE_URL not in json.dumps(whole)
    definitions = plain(to_definitions(base_url=base))
    Bundle.model_validate(definitions)
    assert BASE_URL not in json.dumps(definitions)
    used = {url for url in uses_in(whole) if url.startswith(base)}
    assert set(by_url(definitions)) == used


def test_the_default_base_url_is_base_url(csa: Drug) -> None:
    assert to_bundle(csa) == to_bundle(csa, base_url=BASE_URL)
    assert to_definitions() == to_definitions(base_url=BASE_URL)
    assert all(u.startswith(f"{BASE_URL}/") for u in project_urls(plain(to_bundle(csa))))


@pytest.mark.parametrize("value", [None, 5, b"https://example.org", ["https://example.org"]])
def test_a_base_url_that_is_not_a_string_is_an_argument_type_error(
    value: object, csa: Drug
) -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        to_bundle(csa, base_url=value)  # type: ignore[arg-type]
    assert caught.value.argument == "base_url"
    with pytest.raises(ArgumentTypeError) as caught:
        to_definitions(base_url=value)  # type: ignore[arg-type]
    assert caught.value.argument == "base_url"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "example.org/fhir",
        "/fhir",
        "ftp://example.org/fhir",
        "urn:uuid:1234",
        "https://",
        "https:///fhir",
        "https://example.org/fhir/",
        "https://example.org/",
        "https://example.org/fhir?x=1",
        "https://example.org/fhir?",
        "https://example.org/fhir#part",
        "https://exa mple.org/fhir",
        "https://example.org/f\nhir",
        "https://example.org:port/fhir",
        "http://[::1/fhir",
        "https://exämple.org/fhir",
        "HTTPS://example.org/fhir",
    ],
    ids=repr,
)
def test_a_base_url_that_is_no_absolute_http_url_without_slash_or_query_is_refused(
    value: str, csa: Drug
) -> None:
    calls: list[Callable[[], object]] = [
        lambda: to_bundle(csa, base_url=value),
        lambda: to_definitions(base_url=value),
    ]
    for call in calls:
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.argument == "base_url"
        assert "absolute http or https URL" in str(caught.value)
