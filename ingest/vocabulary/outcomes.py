"""Outcome groups: what a stored outcome means for the person who complained.

Every outcome falls in one group: upheld, not upheld, not investigated (the Ombudsman did
not, or did not finish, investigating) or unknown (the decision does not say). Ingestion
reads a not-investigated decision's reasons; retrieval counts, labels and ranks by group.
"""

from __future__ import annotations

from ingest.vocabulary.records import Outcome

UPHELD, NOT_UPHELD, NOT_INVESTIGATED_GROUP, UNKNOWN = (
    "upheld",
    "not_upheld",
    "not_investigated",
    "unknown",
)
OUTCOME_GROUPS = (UPHELD, NOT_UPHELD, NOT_INVESTIGATED_GROUP, UNKNOWN)

# Outcome is a StrEnum, so a stored outcome string is found in this set as well.
NOT_INVESTIGATED: frozenset[str] = frozenset(
    {Outcome.CLOSED, Outcome.DISCONTINUED, Outcome.WITHDRAWN, Outcome.PREMATURE,
     Outcome.ADVICE_GIVEN}
)


def outcome_group(outcome: str) -> str:
    """upheld / not_upheld / not_investigated / unknown for a stored outcome value."""
    if outcome == Outcome.UPHELD.value:
        return UPHELD
    if outcome == Outcome.NOT_UPHELD.value:
        return NOT_UPHELD
    return NOT_INVESTIGATED_GROUP if outcome in NOT_INVESTIGATED else UNKNOWN
