"""The Supporting Families outcome framework as versioned reference data, and a council's claim policy.

Rule book: shared/domain/supporting-families.md. The ten headlines and their order are [R-gov]
(§2); the codes are a proposal [I]; the need descriptors, their data sources and sustainment
windows are [U] (§2), so all of it is data, parsed and validated here ("Design consequence", §5.3).
Council settings the rule book disputes or infers (K3 `min_distinct_headlines`, §4.2 look-back
and cadence, K8/§4.4 unit values, K11 funding model, K13 local schemes, §4.5 clawback) are
`CouncilPolicy` fields holding the rule book's defaults. Pure: no files, no clock.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Any, Final, TypeVar

from app.domain.errors import InvalidValue, NotFound
from app.domain.families import add_months

SCHEMA_VERSION: Final = 1
"""The layout of the framework data this parser reads; bump it when the layout changes."""

MAX_SUSTAIN_MONTHS: Final = 60
MAX_LOOKBACK_MONTHS: Final = 120

# --- vocabulary ----------------------------------------------------------------------------------


class SustainRuleKind(StrEnum):
    """How a descriptor's sustained period is measured (§2 "Sustained period"; K6)."""

    MONTHS_AFTER_CLOSURE = "months_after_closure"


class ClaimRoute(StrEnum):
    """How a family's result is claimed (C9, K7): continuous employment ended in September 2022."""

    SIGNIFICANT_AND_SUSTAINED_PROGRESS = "significant_and_sustained_progress"
    CONTINUOUS_EMPLOYMENT = "continuous_employment"


class FundingModel(StrEnum):
    """Payment by results, or Earned Autonomy with all funding upfront and no claims (K11, C8)."""

    PAYMENT_BY_RESULTS = "payment_by_results"
    EARNED_AUTONOMY = "earned_autonomy"


class ClaimCadence(StrEnum):
    """How often claims are batched: no national calendar was found (§4.2 "Claim windows") [I]."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


# --- the framework -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SustainRule:
    """When a need's outcome is re-checked: `months` after case closure, 6 by default (K6, §2) [U]."""

    months: int = 6
    kind: SustainRuleKind = SustainRuleKind.MONTHS_AFTER_CLOSURE

    def __post_init__(self) -> None:
        _check_int(self.months, "months", minimum=1, maximum=MAX_SUSTAIN_MONTHS)
        if not isinstance(self.kind, SustainRuleKind):
            raise InvalidValue(
                f"type must be one of {[k.value for k in SustainRuleKind]}.",
                field="type",
                code="framework_sustain_rule_unknown",
            )

    def due_on(self, closed_on: date) -> date:
        """The sustainment check date: `closed_on` plus `months`, clamped to month end (K6, C4)."""
        return add_months(closed_on, self.months)


@dataclass(frozen=True)
class NeedDescriptor:
    """A family need under a headline, its outcome and data sources (§2, §5.3 `NeedDescriptor`).

    `verified` stays false until a Supporting Families lead signs it off against Chapter 3; a claim
    relying on an unverified descriptor cannot reach `ready` (§2 "To do before go-live", §6 test 13).
    """

    code: str
    headline: str
    text: str
    outcome_text: str
    data_sources: tuple[str, ...]
    sustain_rule: SustainRule
    verified: bool
    source_ref: str | None = None


@dataclass(frozen=True)
class Headline:
    """One headline outcome with its code, name, aliases and need descriptors (§2, §1 "Naming drift")."""

    code: str
    name: str
    aliases: tuple[str, ...]
    descriptors: tuple[NeedDescriptor, ...]

    def matches(self, text: str) -> bool:
        """Whether `text` is this headline's code, name or an alias, ignoring case and spacing."""
        wanted = _fold(text)
        return any(_fold(label) == wanted for label in (self.code, self.name, *self.aliases))


@dataclass(frozen=True)
class FrameworkVersion:
    """One version of the framework, in force from `effective_from` to `effective_to` inclusive.

    §5.3 `FrameworkVersion`; E7 and K12 (the national framework from 3 October 2022, local outcome
    plans before). `claim_routes` is C9/K7 as data: continuous employment only before 2022-10.
    """

    code: str
    name: str
    effective_from: date
    effective_to: date | None
    historical: bool
    verified: bool
    source_ref: str
    claim_routes: frozenset[ClaimRoute]
    headlines: tuple[Headline, ...]
    note: str | None = None

    def is_in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def headline(self, code: str) -> Headline | None:
        return next((h for h in self.headlines if h.code == code), None)

    def find_headline(self, text: str) -> Headline | None:
        """The headline `text` names by code, name or alias (§1: store aliases "of one code")."""
        return next((h for h in self.headlines if h.matches(text)), None)

    def descriptor(self, code: str) -> NeedDescriptor | None:
        return next((d for h in self.headlines for d in h.descriptors if d.code == code), None)

    @property
    def headline_codes(self) -> frozenset[str]:
        return frozenset(h.code for h in self.headlines)


# --- council policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeYear:
    """A programme year and its unit value, stored on each claim at creation (§4.4, K8, test 11).

    `unit_value_pence` is None for a local scheme run after the national programme, which carries
    no payment value (K13); such years take claims only when the policy enables them.
    """

    label: str
    phase: str
    start: date
    end: date
    unit_value_pence: int | None

    def __post_init__(self) -> None:
        _check_text(self.label, "label")
        _check_text(self.phase, "phase")
        if self.end < self.start:
            raise InvalidValue(
                "A programme year cannot end before it starts.",
                field="end",
                code="programme_year_reversed",
            )
        if self.unit_value_pence is not None:
            _check_int(self.unit_value_pence, "unit_value_pence", minimum=0)

    @property
    def is_local_scheme(self) -> bool:
        return self.unit_value_pence is None

    def contains(self, on: date) -> bool:
        return self.start <= on <= self.end


@dataclass(frozen=True)
class VersionThreshold:
    """Minimum needs and headlines for claims under one framework version (C1; Phase 2 was 2 of 6)."""

    framework_version: str
    min_needs: int
    min_distinct_headlines: int

    def __post_init__(self) -> None:
        _check_text(self.framework_version, "framework_version")
        _check_thresholds(self.min_needs, self.min_distinct_headlines)


@dataclass(frozen=True)
class CouncilPolicy:
    """A council's Supporting Families claim settings, with the rule book's defaults (§5.3 `Council`).

    - `funding_model`: PbR or Earned Autonomy, which makes no claims (K11, C8);
    - `min_needs` / `min_distinct_headlines`: 3 and 3, the stricter reading of the disputed K3 (§3.2);
      `version_thresholds` overrides them for a framework version (2015-local: 2 of 6, §1);
    - `claim_lookback_months`: 24, or None for no limit (§4.2, Birmingham) [I];
    - `claim_after_closure_months`: 6, the earliest claim date after closure (K6, C5);
    - `claim_cadence`: monthly or quarterly batches (§4.2) [I];
    - `programme_years`: the unit value per year (§4.4); `claims_after_programme` opens the
      local-scheme years after March 2025 (K13); `clawback_frees_family`: false (§4.5) [I];
    - `local_scheme_reclaims_episodes`: false, so an episode (a family and its need set) already
      claimed in an earlier phase is not claimed again in a local-scheme year (K10) [I]; a
      council whose local scheme pays again for the same outcomes turns it on.
    """

    funding_model: FundingModel = FundingModel.PAYMENT_BY_RESULTS
    min_needs: int = 3
    min_distinct_headlines: int = 3
    version_thresholds: tuple[VersionThreshold, ...] = ()
    claim_lookback_months: int | None = 24
    claim_after_closure_months: int = 6
    claim_cadence: ClaimCadence = ClaimCadence.MONTHLY
    programme_years: tuple[ProgrammeYear, ...] = ()
    claims_after_programme: bool = False
    clawback_frees_family: bool = False
    local_scheme_reclaims_episodes: bool = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Refuse settings no claim could be judged by, naming the field for the settings screen."""
        _check_enum(self.funding_model, FundingModel, "funding_model")
        _check_thresholds(self.min_needs, self.min_distinct_headlines)
        versions = [t.framework_version for t in self.version_thresholds]
        if len(versions) != len(set(versions)):
            raise InvalidValue(
                "A framework version has two thresholds.",
                field="version_thresholds",
                code="framework_thresholds_count",
            )
        _check_int(
            self.claim_after_closure_months,
            "claim_after_closure_months",
            minimum=0,
            maximum=MAX_SUSTAIN_MONTHS,
        )
        if self.claim_lookback_months is not None:
            _check_int(
                self.claim_lookback_months,
                "claim_lookback_months",
                minimum=1,
                maximum=MAX_LOOKBACK_MONTHS,
            )
            if self.claim_lookback_months < self.claim_after_closure_months:
                raise InvalidValue(
                    "claim_lookback_months must be at least claim_after_closure_months, or no "
                    "closure could ever be claimed.",
                    field="claim_lookback_months",
                    code="framework_lookback_shorter_than_closure",
                )
        _check_enum(self.claim_cadence, ClaimCadence, "claim_cadence")
        for name in _POLICY_FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise InvalidValue(
                    f"{name} must be true or false.", field=name, code="framework_value_not_boolean"
                )
        ordered = sorted(self.programme_years, key=lambda y: y.start)
        for earlier, later in pairwise(ordered):
            if later.start <= earlier.end:
                raise InvalidValue(
                    f"Programme years {earlier.label} and {later.label} overlap.",
                    field="programme_years",
                    code="programme_years_overlap",
                )
        labels = [y.label for y in self.programme_years]
        if len(labels) != len(set(labels)):
            raise InvalidValue(
                "Programme year labels must be unique.",
                field="programme_years",
                code="programme_year_label_repeated",
            )

    def thresholds_for(self, framework_version: str) -> tuple[int, int]:
        """(min_needs, min_distinct_headlines) for claims under `framework_version` (C1, K2, K3)."""
        for threshold in self.version_thresholds:
            if threshold.framework_version == framework_version:
                return threshold.min_needs, threshold.min_distinct_headlines
        return self.min_needs, self.min_distinct_headlines

    def programme_year_on(self, on: date) -> ProgrammeYear | None:
        """The programme year `on` falls in, if any (§4.4, K13)."""
        return next((y for y in self.programme_years if y.contains(on)), None)

    @property
    def makes_claims(self) -> bool:
        return self.funding_model is FundingModel.PAYMENT_BY_RESULTS


def claim_period_end(on: date, cadence: ClaimCadence) -> date:
    """The last day of the monthly or quarterly batch `on` falls in (§4.2 `ClaimBatch.period_end`)."""
    last_month = on.month if cadence is ClaimCadence.MONTHLY else ((on.month - 1) // 3 + 1) * 3
    first_of_next = add_months(date(on.year, last_month, 1), 1)
    return date.fromordinal(first_of_next.toordinal() - 1)


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkCatalogue:
    """Every framework version the service knows, and the default council policy (§2, §5.3)."""

    versions: tuple[FrameworkVersion, ...]
    default_policy: CouncilPolicy

    def get_version(self, code: str) -> FrameworkVersion | None:
        return next((v for v in self.versions if v.code == code), None)

    def version(self, code: str) -> FrameworkVersion:
        found = self.get_version(code)
        if found is None:
            raise NotFound(f"There is no outcome framework version '{code}'.")
        return found

    def in_force_on(self, on: date) -> FrameworkVersion | None:
        """The version whose dates cover `on` (E7, K12); versions never overlap."""
        return next((v for v in self.versions if v.is_in_force_on(on)), None)

    def descriptor_in_force(self, code: str, identified_on: date) -> NeedDescriptor | None:
        """The descriptor `code` of the version in force on `identified_on` (C1), if it exists."""
        version = self.in_force_on(identified_on)
        return None if version is None else version.descriptor(code)


# --- parsing -------------------------------------------------------------------------------------

_TOP_KEYS = frozenset({"schema_version", "source", "versions", "council_policy"})
_VERSION_KEYS = frozenset(
    {
        "code",
        "name",
        "effective_from",
        "effective_to",
        "historical",
        "verified",
        "source_ref",
        "note",
        "claim_routes",
        "headlines",
    }
)
_HEADLINE_KEYS = frozenset({"code", "name", "aliases", "descriptors"})
_HEADLINE_LIST_KEYS = frozenset({"framework", "version", "effective_from", "source", "headlines"})
_LISTED_HEADLINE_KEYS = frozenset({"code", "name", "aliases"})
_DESCRIPTOR_KEYS = frozenset(
    {"code", "text", "outcome_text", "data_sources", "sustain_rule", "verified", "source_ref"}
)
_SUSTAIN_KEYS = frozenset({"type", "months"})
_POLICY_KEYS = frozenset(
    {
        "funding_model",
        "min_needs",
        "min_distinct_headlines",
        "version_thresholds",
        "claim_lookback_months",
        "claim_after_closure_months",
        "claim_cadence",
        "programme_years",
        "claims_after_programme",
        "clawback_frees_family",
        "local_scheme_reclaims_episodes",
    }
)
_POLICY_FLAGS = (
    "claims_after_programme",
    "clawback_frees_family",
    "local_scheme_reclaims_episodes",
)
_YEAR_KEYS = frozenset({"label", "phase", "start", "end", "unit_value_pence", "note"})
_THRESHOLD_KEYS = frozenset({"framework_version", "min_needs", "min_distinct_headlines"})


def parse_framework(data: Mapping[str, object]) -> FrameworkCatalogue:
    """Validate framework data (§2, §5.3) and build the catalogue.

    Any problem raises InvalidValue whose `field` is the path to it, such as
    "versions[1].headlines[3].code". Checks: known keys only; unique version, headline, descriptor
    and alias codes; descriptor codes prefixed by their headline's code; non-overlapping version
    dates; claim routes known; policy thresholds naming known versions.
    """
    top = _object(data, "", _TOP_KEYS, required=("schema_version", "versions", "council_policy"))
    if top["schema_version"] != SCHEMA_VERSION:
        raise InvalidValue(
            f"schema_version must be {SCHEMA_VERSION}; this service cannot read other layouts.",
            field="schema_version",
            code="framework_schema_version",
        )
    if "source" in top:
        _text(top["source"], "source")
    raw_versions = _list(top["versions"], "versions", non_empty=True)
    versions = tuple(_version(v, f"versions[{i}]") for i, v in enumerate(raw_versions))
    _unique([v.code for v in versions], "versions", "code")
    ordered = sorted(range(len(versions)), key=lambda i: versions[i].effective_from)
    for a, b in pairwise(ordered):
        earlier_end = versions[a].effective_to
        if earlier_end is None or versions[b].effective_from <= earlier_end:
            raise InvalidValue(
                f"Framework versions {versions[a].code} and {versions[b].code} overlap; one "
                "version must end before the next starts.",
                field=f"versions[{b}].effective_from",
                code="framework_versions_overlap",
            )
    policy = parse_council_policy(top["council_policy"], "council_policy")
    known = {v.code for v in versions}
    for i, threshold in enumerate(policy.version_thresholds):
        if threshold.framework_version not in known:
            raise InvalidValue(
                f"Unknown framework version '{threshold.framework_version}'.",
                field=f"council_policy.version_thresholds[{i}].framework_version",
                code="framework_version_unknown",
            )
    return FrameworkCatalogue(versions=versions, default_policy=policy)


def parse_headline_list(data: Mapping[str, object]) -> tuple[Headline, ...]:
    """Validate the headline list needs are tagged with in an assessment (codes, names, aliases;
    no descriptors): a problem raises InvalidValue naming its path, such as "headlines[2].code"."""
    top = _object(data, "", _HEADLINE_LIST_KEYS, required=("headlines",))
    raw = _list(top["headlines"], "headlines", non_empty=True)
    found = []
    for i, value in enumerate(raw):
        path = f"headlines[{i}]"
        entry = _object(value, path, _LISTED_HEADLINE_KEYS, required=("code", "name"))
        found.append(
            Headline(
                code=_code(entry["code"], f"{path}.code"),
                name=_text(entry["name"], f"{path}.name"),
                aliases=tuple(
                    _text(a, f"{path}.aliases[{k}]")
                    for k, a in enumerate(_list(entry.get("aliases", []), f"{path}.aliases"))
                ),
                descriptors=(),
            )
        )
    _unique([h.code for h in found], "headlines", "code")
    return tuple(found)


def signed_off(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a framework document with every version and descriptor marked verified: what a
    Supporting Families lead's sign-off against Chapter 3 produces (§2 "To do before go-live")."""
    signed: dict[str, Any] = copy.deepcopy(dict(document))
    for version in signed["versions"]:
        version["verified"] = True
        for headline in version["headlines"]:
            for descriptor in headline["descriptors"]:
                descriptor["verified"] = True
    return signed


def parse_council_policy(data: object, path: str = "") -> CouncilPolicy:
    """Validate a council policy block (`council_policy_to_dict` output); missing keys default."""
    raw = _object(data, path, _POLICY_KEYS, required=())
    kwargs: dict[str, Any] = {}
    if "funding_model" in raw:
        kwargs["funding_model"] = _enum(
            raw["funding_model"], FundingModel, _at(path, "funding_model")
        )
    if "claim_cadence" in raw:
        kwargs["claim_cadence"] = _enum(
            raw["claim_cadence"], ClaimCadence, _at(path, "claim_cadence")
        )
    for key in ("min_needs", "min_distinct_headlines", "claim_after_closure_months"):
        if key in raw:
            kwargs[key] = _int(raw[key], _at(path, key))
    if "claim_lookback_months" in raw:
        value = raw["claim_lookback_months"]
        kwargs["claim_lookback_months"] = (
            None if value is None else _int(value, _at(path, "claim_lookback_months"))
        )
    for key in _POLICY_FLAGS:
        if key in raw:
            kwargs[key] = _bool(raw[key], _at(path, key))
    if "version_thresholds" in raw:
        where = _at(path, "version_thresholds")
        kwargs["version_thresholds"] = tuple(
            _threshold(t, f"{where}[{i}]")
            for i, t in enumerate(_list(raw["version_thresholds"], where))
        )
    if "programme_years" in raw:
        where = _at(path, "programme_years")
        kwargs["programme_years"] = tuple(
            _programme_year(y, f"{where}[{i}]")
            for i, y in enumerate(_list(raw["programme_years"], where))
        )
    with _prefixed(path):
        return CouncilPolicy(**kwargs)


def parse_uploaded_framework(document: Mapping[str, object]) -> FrameworkCatalogue:
    """`parse_framework` for a document an admin uploads in a request's `document` field: a
    problem names its path under it ("document.versions[1].headlines[3].code")."""
    try:
        return parse_framework(document)
    except InvalidValue as error:
        field = f"document.{error.field}" if error.field else "document"
        raise InvalidValue(error.detail, field=field, code=error.code) from None


def check_policy_thresholds(policy: CouncilPolicy, known_versions: Iterable[str]) -> None:
    """A council policy's thresholds name framework versions the service knows."""
    known = set(known_versions)
    for i, threshold in enumerate(policy.version_thresholds):
        if threshold.framework_version not in known:
            raise InvalidValue(
                f"Unknown framework version '{threshold.framework_version}'.",
                field=f"policy.version_thresholds[{i}].framework_version",
                code="framework_version_unknown",
            )


@dataclass(frozen=True)
class ClaimPeriod:
    """One batch period of the council's cadence, first and last day (§4.2)."""

    start: date
    end: date
    cadence: ClaimCadence


def claim_period_containing(on: date, policy: CouncilPolicy, today: date) -> ClaimPeriod:
    """The monthly or quarterly claim period any day `on` falls in; refused (naming the field)
    while that period has not ended, as no batch covers it yet."""
    end = claim_period_end(on, policy.claim_cadence)
    months = 1 if policy.claim_cadence is ClaimCadence.MONTHLY else 3
    start = add_months(date(end.year, end.month, 1), 1 - months)
    if end > today:
        raise InvalidValue(
            f"{on.isoformat()} falls in the {policy.claim_cadence.value} claim period "
            f"{start.isoformat()} to {end.isoformat()}, which has not ended yet.",
            field="period_end",
            code="claim_period_end_in_future",
        )
    return ClaimPeriod(start, end, policy.claim_cadence)


def check_claim_period_end(period_end: date, policy: CouncilPolicy, today: date) -> None:
    """A claim batch covers a whole period of the council's cadence that has already ended."""
    if claim_period_end(period_end, policy.claim_cadence) != period_end:
        raise InvalidValue(
            f"period_end must be the last day of a {policy.claim_cadence.value} claim period.",
            field="period_end",
            code="claim_period_end_not_period_end",
        )
    if period_end > today:
        raise InvalidValue(
            "A claim batch covers a period that has ended; period_end cannot be in the future.",
            field="period_end",
            code="claim_period_end_in_future",
        )


def council_policy_to_dict(policy: CouncilPolicy) -> dict[str, Any]:
    """A JSON-able form of `policy` that `parse_council_policy` reads back unchanged."""
    return {
        "funding_model": policy.funding_model.value,
        "min_needs": policy.min_needs,
        "min_distinct_headlines": policy.min_distinct_headlines,
        "version_thresholds": [
            {
                "framework_version": t.framework_version,
                "min_needs": t.min_needs,
                "min_distinct_headlines": t.min_distinct_headlines,
            }
            for t in policy.version_thresholds
        ],
        "claim_lookback_months": policy.claim_lookback_months,
        "claim_after_closure_months": policy.claim_after_closure_months,
        "claim_cadence": policy.claim_cadence.value,
        "programme_years": [
            {
                "label": y.label,
                "phase": y.phase,
                "start": y.start.isoformat(),
                "end": y.end.isoformat(),
                "unit_value_pence": y.unit_value_pence,
            }
            for y in policy.programme_years
        ],
        "claims_after_programme": policy.claims_after_programme,
        "clawback_frees_family": policy.clawback_frees_family,
        "local_scheme_reclaims_episodes": policy.local_scheme_reclaims_episodes,
    }


def _version(value: object, path: str) -> FrameworkVersion:
    raw = _object(
        value,
        path,
        _VERSION_KEYS,
        required=(
            "code",
            "name",
            "effective_from",
            "historical",
            "verified",
            "source_ref",
            "claim_routes",
            "headlines",
        ),
    )
    effective_from = _date(raw["effective_from"], f"{path}.effective_from")
    effective_to_raw = raw.get("effective_to")
    effective_to = (
        None if effective_to_raw is None else _date(effective_to_raw, f"{path}.effective_to")
    )
    if effective_to is not None and effective_to < effective_from:
        raise InvalidValue(
            "A framework version cannot end before it starts.",
            field=f"{path}.effective_to",
            code="framework_version_ends_before_start",
        )
    routes_raw = _list(raw["claim_routes"], f"{path}.claim_routes", non_empty=True)
    routes = [_enum(r, ClaimRoute, f"{path}.claim_routes[{i}]") for i, r in enumerate(routes_raw)]
    _unique([r.value for r in routes], f"{path}.claim_routes", None)
    raw_headlines = _list(raw["headlines"], f"{path}.headlines", non_empty=True)
    headlines = tuple(_headline(h, f"{path}.headlines[{i}]") for i, h in enumerate(raw_headlines))
    _unique([h.code for h in headlines], f"{path}.headlines", "code")
    _unique(
        [d.code for h in headlines for d in h.descriptors],
        f"{path}.headlines",
        "descriptors.code",
        paths=[
            f"{path}.headlines[{i}].descriptors[{j}].code"
            for i, h in enumerate(headlines)
            for j in range(len(h.descriptors))
        ],
    )
    owners: dict[str, str] = {}
    for i, h in enumerate(headlines):
        named = [(h.code, "code"), (h.name, "name")]
        named += [(alias, f"aliases[{k}]") for k, alias in enumerate(h.aliases)]
        for label, where in named:
            owner = owners.setdefault(_fold(label), h.code)
            if owner != h.code:
                raise InvalidValue(
                    f"'{label}' already names headline {owner}; an alias must point to one code.",
                    field=f"{path}.headlines[{i}].{where}",
                    code="framework_alias_repeated",
                )
    note = raw.get("note")
    return FrameworkVersion(
        code=_text(raw["code"], f"{path}.code"),
        name=_text(raw["name"], f"{path}.name"),
        effective_from=effective_from,
        effective_to=effective_to,
        historical=_bool(raw["historical"], f"{path}.historical"),
        verified=_bool(raw["verified"], f"{path}.verified"),
        source_ref=_text(raw["source_ref"], f"{path}.source_ref"),
        claim_routes=frozenset(routes),
        headlines=headlines,
        note=None if note is None else _text(note, f"{path}.note"),
    )


def _headline(value: object, path: str) -> Headline:
    raw = _object(value, path, _HEADLINE_KEYS, required=("code", "name", "descriptors"))
    code = _code(raw["code"], f"{path}.code")
    aliases = tuple(
        _text(a, f"{path}.aliases[{i}]")
        for i, a in enumerate(_list(raw.get("aliases", []), f"{path}.aliases"))
    )
    raw_descriptors = _list(raw["descriptors"], f"{path}.descriptors", non_empty=True)
    descriptors = tuple(
        _descriptor(d, f"{path}.descriptors[{i}]", code) for i, d in enumerate(raw_descriptors)
    )
    return Headline(
        code=code, name=_text(raw["name"], f"{path}.name"), aliases=aliases, descriptors=descriptors
    )


def _descriptor(value: object, path: str, headline: str) -> NeedDescriptor:
    raw = _object(
        value,
        path,
        _DESCRIPTOR_KEYS,
        required=("code", "text", "outcome_text", "data_sources", "sustain_rule", "verified"),
    )
    code = _text(raw["code"], f"{path}.code")
    if not code.startswith(f"{headline}.") or code == f"{headline}.":
        raise InvalidValue(
            f"Descriptor code '{code}' must start with its headline code '{headline}.'.",
            field=f"{path}.code",
            code="framework_descriptor_code_prefix",
        )
    sources = tuple(
        _text(s, f"{path}.data_sources[{i}]")
        for i, s in enumerate(_list(raw["data_sources"], f"{path}.data_sources", non_empty=True))
    )
    source_ref = raw.get("source_ref")
    return NeedDescriptor(
        code=code,
        headline=headline,
        text=_text(raw["text"], f"{path}.text"),
        outcome_text=_text(raw["outcome_text"], f"{path}.outcome_text"),
        data_sources=sources,
        sustain_rule=_sustain_rule(raw["sustain_rule"], f"{path}.sustain_rule"),
        verified=_bool(raw["verified"], f"{path}.verified"),
        source_ref=None if source_ref is None else _text(source_ref, f"{path}.source_ref"),
    )


def _sustain_rule(value: object, path: str) -> SustainRule:
    raw = _object(value, path, _SUSTAIN_KEYS, required=("type", "months"))
    kind = _enum(raw["type"], SustainRuleKind, f"{path}.type")
    months = _int(raw["months"], f"{path}.months")
    with _prefixed(path):
        return SustainRule(months=months, kind=kind)


def _programme_year(value: object, path: str) -> ProgrammeYear:
    raw = _object(
        value, path, _YEAR_KEYS, required=("label", "phase", "start", "end", "unit_value_pence")
    )
    unit = raw["unit_value_pence"]
    if "note" in raw:
        _text(raw["note"], f"{path}.note")
    with _prefixed(path):
        return ProgrammeYear(
            label=_text(raw["label"], f"{path}.label"),
            phase=_text(raw["phase"], f"{path}.phase"),
            start=_date(raw["start"], f"{path}.start"),
            end=_date(raw["end"], f"{path}.end"),
            unit_value_pence=None if unit is None else _int(unit, f"{path}.unit_value_pence"),
        )


def _threshold(value: object, path: str) -> VersionThreshold:
    raw = _object(value, path, _THRESHOLD_KEYS, required=tuple(sorted(_THRESHOLD_KEYS)))
    with _prefixed(path):
        return VersionThreshold(
            framework_version=_text(raw["framework_version"], f"{path}.framework_version"),
            min_needs=_int(raw["min_needs"], f"{path}.min_needs"),
            min_distinct_headlines=_int(
                raw["min_distinct_headlines"], f"{path}.min_distinct_headlines"
            ),
        )


# --- validation helpers --------------------------------------------------------------------------

_E = TypeVar("_E", bound=StrEnum)


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@contextmanager
def _prefixed(path: str) -> Iterator[None]:
    """Re-raise a dataclass's own validation error with the full path to its field."""
    try:
        yield
    except InvalidValue as error:
        if not path or (error.field or "").startswith(path):
            raise
        field = f"{path}.{error.field}" if error.field else path
        raise InvalidValue(error.detail, field=field, code=error.code) from None


def _object(
    value: object, path: str, allowed: frozenset[str], *, required: Sequence[str]
) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidValue(
            f"{path or 'The framework data'} must be an object.",
            field=path or None,
            code="framework_value_not_object",
        )
    for key in value:
        if key not in allowed:
            raise InvalidValue(
                f"Unknown key '{key}'.", field=_at(path, key), code="framework_key_unknown"
            )
    for key in required:
        if key not in value:
            raise InvalidValue(
                f"{_at(path, key)} is required.",
                field=_at(path, key),
                code="framework_key_required",
            )
    return value


def _list(value: object, path: str, *, non_empty: bool = False) -> Sequence[object]:
    if not isinstance(value, list | tuple):
        raise InvalidValue(f"{path} must be a list.", field=path, code="framework_value_not_list")
    if non_empty and not value:
        raise InvalidValue(f"{path} must not be empty.", field=path, code="framework_list_empty")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(
            f"{path} must be non-empty text.", field=path, code="framework_text_required"
        )
    return value.strip()


def _code(value: object, path: str) -> str:
    code = _text(value, path)
    if not all(c.isupper() or c.isdigit() or c == "_" for c in code):
        raise InvalidValue(
            f"{path} must be upper-case letters, digits or '_' (e.g. EDU).",
            field=path,
            code="framework_code_format",
        )
    return code


def _int(value: object, path: str) -> int:
    # bool is an int subclass; true as a month count is a data error, not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValue(
            f"{path} must be a whole number.", field=path, code="framework_value_not_whole_number"
        )
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(
            f"{path} must be true or false.", field=path, code="framework_value_not_boolean"
        )
    return value


def _date(value: object, path: str) -> date:
    if not isinstance(value, str):
        raise InvalidValue(
            f"{path} must be an ISO date string.", field=path, code="framework_value_not_date"
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(
            f"{path} must be an ISO date (YYYY-MM-DD).", field=path, code="framework_value_not_date"
        ) from None


def _enum(value: object, enum: type[_E], path: str) -> _E:
    for member in enum:
        if isinstance(value, str) and value == member.value:
            return member
    raise InvalidValue(
        f"{path} must be one of {[m.value for m in enum]}.",
        field=path,
        code="framework_value_not_one_of",
    )


def _unique(
    values: Sequence[str], path: str, key: str | None, *, paths: Sequence[str] | None = None
) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            where = paths[i] if paths is not None else f"{path}[{i}]" + (f".{key}" if key else "")
            raise InvalidValue(
                f"'{value}' appears twice in {path}.", field=where, code="framework_value_repeated"
            )
        seen.add(value)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _check_int(value: object, name: str, *, minimum: int, maximum: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValue(
            f"{name} must be a whole number.", field=name, code="framework_value_not_whole_number"
        )
    if value < minimum:
        raise InvalidValue(
            f"{name} must be at least {minimum}.", field=name, code="framework_value_too_small"
        )
    if maximum is not None and value > maximum:
        raise InvalidValue(
            f"{name} must be at most {maximum}.", field=name, code="framework_value_too_large"
        )


def _check_text(value: object, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(
            f"{name} must be non-empty text.", field=name, code="framework_text_required"
        )


def _check_enum(value: object, enum: type[StrEnum], name: str) -> None:
    if not isinstance(value, enum):
        raise InvalidValue(
            f"{name} must be one of {[m.value for m in enum]}.",
            field=name,
            code="framework_value_not_one_of",
        )


def _check_thresholds(min_needs: int, min_distinct_headlines: int) -> None:
    """K2/K3 (§3.2): at least one need; never more distinct headlines than needs."""
    _check_int(min_needs, "min_needs", minimum=1, maximum=50)
    _check_int(min_distinct_headlines, "min_distinct_headlines", minimum=1, maximum=50)
    if min_distinct_headlines > min_needs:
        raise InvalidValue(
            "min_distinct_headlines cannot exceed min_needs: each need sits under one headline.",
            field="min_distinct_headlines",
            code="framework_headlines_exceed_needs",
        )
