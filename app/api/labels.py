"""English labels for every closed set of values in the contract, and the ONS 2021 code lists.

A front end shows "Plan awaiting quality assurance", never `plan_awaiting_qa`. The labels are
read off the contract itself (every enum in `openapi/openapi.json`), so a value added to the API
has a label the day it appears: its words are written here where plain capitalisation would read
wrongly (acronyms, legal terms), and otherwise made from the value.
"""

from __future__ import annotations

from typing import Any

WORDS = {
    "qa": "quality assurance",
    "taf": "Team Around the Family",
    "gp": "GP",
    "csc": "children's social care",
    "eh": "early help",
}
"""Words a value spells in short that a person reads in full."""

LABELS: dict[str, dict[str, str]] = {
    "EpisodeStage": {
        "requested": "Requested",
        "assessing": "Being assessed",
        "plan_awaiting_qa": "Plan awaiting quality assurance",
        "plan_returned": "Plan returned for changes",
        "plan_approved": "Plan approved",
        "active": "Plan in place",
        "closed": "Closed",
    },
    "RequestSource": {
        "family_asked": "The family asked",
        "front_door": "Early help front door",
        "stepped_down_from_social_care": "Stepped down from children's social care",
        "gp": "GP",
    },
    "ClosureReason": {
        "all_needs_met": "All needs met",
        "needs_partly_met_no_further_support": "Needs partly met; no further support needed",
        "stepped_up_to_social_care": "Stepped up to children's social care",
        "stepped_down_to_universal": "Stepped down to universal services",
    },
    "MemberRole": {"parent_carer": "Parent or carer", "other_adult": "Other adult"},
    "RelationshipKind": {
        "step_parent": "Step-parent",
        "half_sibling": "Half-sibling",
        "special_guardian": "Special guardian",
    },
    "SharingScope": {"all_taf_members": "Everyone in the Team Around the Family"},
    "ChildVoice": {
        "present": "The child was there",
        "shared": "The child's views were shared",
        "not_shared": "The child's views were not shared",
    },
    "DayBasis": {"working_days": "Working days", "calendar_days": "Calendar days"},
    "FirstTafClockStart": {
        "approval": "When the plan is approved",
        "first_review": "At the first review",
    },
    "Role": {"quality_assurance": "Quality assurance officer", "admin": "Administrator"},
    "WorkKind": {
        "submit_assessment_and_plan": "Submit the assessment and plan",
        "resubmit_plan": "Resubmit the returned plan",
        "hold_first_taf_meeting": "Hold the first TAF meeting",
        "decide_on_plan": "Decide on a plan (quality assurance)",
        "do_plan_action": "Do a plan action",
        "check_sustainment": "Check an outcome has lasted",
        "read_attached_request": "Read a new request for support on this episode",
    },
    "ScreeningOutcome": {
        "no_further_action": "No further action",
        "signpost": "Signposted to universal services",
        "step_up": "Stepped up to children's social care",
        "already_open": "Attached to the family's open episode",
    },
    "SecurityEventKind": {"break_glass_read": "Record opened by break glass"},
    "ClaimState": {"internal_audit": "With internal audit", "clawed_back": "Clawed back"},
}
"""Where the words a value is made of would not read well on a screen."""


def humanise(value: str) -> str:
    """`plan_awaiting_qa` → "Plan awaiting quality assurance"."""
    words = [WORDS.get(word, word) for word in value.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def enum_labels(document: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """For each enum of the contract, its values with their labels, in the contract's order."""
    found: dict[str, list[dict[str, str]]] = {}
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        values = schema.get("enum")
        if not values or not all(isinstance(v, str) for v in values):
            continue
        words = LABELS.get(name, {})
        found[name] = [{"value": v, "label": words.get(v, humanise(v))} for v in values]
    return found


SEX = [
    ("female", "Female"),
    ("male", "Male"),
]
"""ONS 2021 Census: sex (the question asked of everyone)."""

GENDER_IDENTITY = [
    ("same_as_sex_registered_at_birth", "Same as sex registered at birth"),
    ("trans_woman", "Trans woman"),
    ("trans_man", "Trans man"),
    ("non_binary", "Non-binary"),
    ("different_no_specific_identity", "Different from sex registered at birth, no identity given"),
    ("all_other_gender_identities", "All other gender identities"),
    ("not_answered", "Not answered"),
]
"""ONS 2021 Census: gender identity (output categories)."""

ETHNICITY = [
    ("asian_bangladeshi", "Asian, Asian British or Asian Welsh: Bangladeshi"),
    ("asian_chinese", "Asian, Asian British or Asian Welsh: Chinese"),
    ("asian_indian", "Asian, Asian British or Asian Welsh: Indian"),
    ("asian_pakistani", "Asian, Asian British or Asian Welsh: Pakistani"),
    ("asian_other", "Asian, Asian British or Asian Welsh: Other Asian"),
    ("black_african", "Black, Black British, Black Welsh, Caribbean or African: African"),
    ("black_caribbean", "Black, Black British, Black Welsh, Caribbean or African: Caribbean"),
    ("black_other", "Black, Black British, Black Welsh, Caribbean or African: Other Black"),
    ("mixed_white_and_asian", "Mixed or Multiple ethnic groups: White and Asian"),
    ("mixed_white_and_black_african", "Mixed or Multiple ethnic groups: White and Black African"),
    (
        "mixed_white_and_black_caribbean",
        "Mixed or Multiple ethnic groups: White and Black Caribbean",
    ),
    ("mixed_other", "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups"),
    ("white_british", "White: English, Welsh, Scottish, Northern Irish or British"),
    ("white_irish", "White: Irish"),
    ("white_gypsy_or_irish_traveller", "White: Gypsy or Irish Traveller"),
    ("white_roma", "White: Roma"),
    ("white_other", "White: Other White"),
    ("other_arab", "Other ethnic group: Arab"),
    ("other_any", "Other ethnic group: Any other ethnic group"),
    ("not_stated", "Not stated"),
]
"""ONS 2021 Census: ethnic group (the 19 categories), and not stated."""


def code_lists() -> dict[str, list[dict[str, str]]]:
    return {
        name: [{"value": v, "label": label} for v, label in values]
        for name, values in (
            ("sex", SEX),
            ("gender", GENDER_IDENTITY),
            ("ethnicity", ETHNICITY),
        )
    }
