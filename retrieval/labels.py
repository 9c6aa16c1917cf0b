"""Plain-words names for outcomes and reasons (the law behind each: explanations.toml)."""

from __future__ import annotations

from ingest.vocabulary.records import Outcome, Reason

OUTCOME_LABELS: dict[str, str] = {
    Outcome.UPHELD: "upheld",
    Outcome.NOT_UPHELD: "not upheld",
    Outcome.CLOSED: "not investigated (closed after initial enquiries)",
    Outcome.DISCONTINUED: "investigation discontinued",
    Outcome.WITHDRAWN: "withdrawn",
    Outcome.ADVICE_GIVEN: "advice given",
    Outcome.PREMATURE: "premature (advice given)",
    Outcome.UNKNOWN: "outcome not stated",
}

REASON_LABELS: dict[str, str] = {
    Reason.LATE: "the complaint was made too late",
    Reason.ALTERNATIVE_REMEDY_APPEAL: "the person could appeal to a tribunal or similar body",
    Reason.ALTERNATIVE_REMEDY_COURT: "it was reasonable to go to court",
    Reason.NOT_ENOUGH_FAULT: "there was not enough evidence of fault",
    Reason.NO_SIGNIFICANT_INJUSTICE: "the injustice was not significant enough",
    Reason.COULD_NOT_ADD: "an investigation could not add to the council's own",
    Reason.DIFFERENT_OUTCOME_UNLIKELY: "an investigation would not lead to a different outcome",
    Reason.OTHER_BODY_BETTER_PLACED: "another body is better placed to deal with it",
    Reason.OUT_OF_JURISDICTION: "the matter is outside the Ombudsman's jurisdiction",
    Reason.PREMATURE: "the council's own complaints procedure had not finished",
    Reason.AFFECTS_MOST_PEOPLE: "the matter affects all or most people in the area",
    Reason.OTHER: "another reason",
}

def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " "))
