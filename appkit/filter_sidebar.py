"""Sidebar filters → a DecisionFilter, and the chips that show which are on."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from appkit.text import escape_inline
from retrieval import (
    NOT_SHOWN_WORDS,
    DecisionFilter,
    DecisionHit,
    FilterOptions,
    QueryPlan,
    SoftHints,
    outcome_label,
    reason_label,
)

ORGS, AREAS, SUBS, OUTCOMES, REASONS, DATES = (
    "filter_organisations",
    "filter_areas",
    "filter_sub_areas",
    "filter_outcomes",
    "filter_reasons",
    "filter_dates",
)
LIST_KEYS = (ORGS, AREAS, SUBS, OUTCOMES, REASONS)


@dataclass(frozen=True)
class Chip:
    """One active filter value, removable on its own."""

    key: str
    value: object
    label: str


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_bounds(options: FilterOptions) -> tuple[dt.date, dt.date] | None:
    low, high = _as_date(options.date_min), _as_date(options.date_max)
    return (low, high) if low and high else None


def _sub_area_label(pair: tuple[str, str]) -> str:
    return f"{pair[1]} ({pair[0]})"


def sidebar_filters(options: FilterOptions) -> DecisionFilter:
    """Draw the filter widgets in the sidebar; return the filter they describe."""
    sub_areas = sorted(
        (area, sub) for area, subs in options.categories.items() for sub in subs if sub
    )
    with st.sidebar:
        st.header("Filters")
        st.caption("Applied to your next questions and to similar-decision searches.")
        st.multiselect(
            "Organisation",
            options.organisations,
            key=ORGS,
            placeholder="Type to search",
            select_all=False,
        )
        _not_shown_caption("organisation", options.without_organisation, "An organisation filter")
        st.multiselect(
            "Area", sorted(options.categories), key=AREAS, placeholder="Any area", select_all=False
        )
        st.multiselect(
            "Sub-area",
            sub_areas,
            key=SUBS,
            format_func=_sub_area_label,
            placeholder="Any",
            select_all=False,
        )
        _not_shown_caption("category", options.without_area, "An area or sub-area filter")
        st.multiselect(
            "Outcome",
            options.outcomes,
            key=OUTCOMES,
            format_func=outcome_label,
            placeholder="Any",
            select_all=False,
        )
        st.multiselect(
            "Reason for not investigating",
            options.reasons,
            key=REASONS,
            format_func=reason_label,
            placeholder="Any",
            select_all=False,
        )
        bounds = date_bounds(options)
        if bounds:
            _keep_dates_within(bounds)
            st.date_input("Decision date", min_value=bounds[0], max_value=bounds[1], key=DATES)
        st.button("Clear filters", key="filter_clear", on_click=clear_filters, args=(bounds,))
    return current_filter(bounds)


def _not_shown_caption(column: str, count: int, which_filter: str) -> None:
    """Under a filter's widget: how many decisions it cannot take, because their copies (a
    third-party copy, a page saved without its header) do not show what it filters on."""
    if count:
        st.caption(
            f"Decisions in this index that {NOT_SHOWN_WORDS[column][1]}: {count}. "
            f"{which_filter} leaves them out."
        )


def _keep_dates_within(bounds: tuple[dt.date, dt.date]) -> None:
    # The widget's value lives in session state (no default argument), so that
    # "Clear filters", the chips and the understood hints can set it without a Streamlit
    # warning; a range reaching past the index's dates is clipped to them.
    chosen = st.session_state.get(DATES)
    if not isinstance(chosen, tuple | list) or len(chosen) != 2:
        st.session_state[DATES] = bounds
        return
    low, high = max(chosen[0], bounds[0]), min(chosen[1], bounds[1])
    st.session_state[DATES] = (low, high) if low <= high else bounds


def current_filter(bounds: tuple[dt.date, dt.date] | None) -> DecisionFilter:
    state = st.session_state
    date_from, date_to = _chosen_dates(bounds)
    return DecisionFilter(
        organisations=tuple(state.get(ORGS, ())),
        categories=tuple(state.get(AREAS, ())),
        sub_categories=tuple(dict.fromkeys(sub for _, sub in state.get(SUBS, ()))),
        outcomes=tuple(state.get(OUTCOMES, ())),
        reasons=tuple(state.get(REASONS, ())),
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )


def _chosen_dates(bounds: tuple[dt.date, dt.date] | None) -> tuple[dt.date | None, ...]:
    chosen = st.session_state.get(DATES)
    if not bounds or not isinstance(chosen, tuple | list) or len(chosen) != 2:
        return None, None  # no dates in the index, or a range half picked
    low, high = chosen
    return (low if low > bounds[0] else None, high if high < bounds[1] else None)


def clear_filters(bounds: tuple[dt.date, dt.date] | None) -> None:
    for key in LIST_KEYS:
        st.session_state[key] = []
    if bounds:
        st.session_state[DATES] = bounds


def chips(bounds: tuple[dt.date, dt.date] | None) -> list[Chip]:
    state = st.session_state
    found = [Chip(ORGS, v, v) for v in state.get(ORGS, ())]
    found += [Chip(AREAS, v, v) for v in state.get(AREAS, ())]
    found += [Chip(SUBS, v, _sub_area_label(v)) for v in state.get(SUBS, ())]
    found += [Chip(OUTCOMES, v, outcome_label(v)) for v in state.get(OUTCOMES, ())]
    found += [
        Chip(REASONS, v, f"not investigated: {reason_label(v)}") for v in state.get(REASONS, ())
    ]
    date_from, date_to = _chosen_dates(bounds)
    if date_from or date_to:
        span = f"{date_from or 'any'} to {date_to or 'any'}"
        found.append(Chip(DATES, None, f"decided {span}"))
    return found


def show_chips(bounds: tuple[dt.date, dt.date] | None) -> None:
    """The active filters as chips above the conversation; unselecting one removes it."""
    active = chips(bounds)
    if not active:
        st.caption("No filters: searching every decision in the index.")
        return
    labels = [chip.label for chip in active]
    digest = hashlib.sha1("\x1f".join(labels).encode()).hexdigest()[:10]
    key = f"filter_chips_{digest}"  # a new chip set is a new widget, all selected
    st.pills(
        "Filters on (click one to remove it)",
        options=list(range(len(active))),
        default=list(range(len(active))),
        selection_mode="multi",
        format_func=lambda i: escape_inline(labels[i]),
        key=key,
        on_change=_drop_unselected,
        args=(key, active, bounds),
    )


def _drop_unselected(key: str, active: list[Chip], bounds: tuple[dt.date, dt.date] | None) -> None:
    kept = set(st.session_state.get(key) or ())
    for index, chip in enumerate(active):
        if index in kept:
            continue
        if chip.key == DATES:
            st.session_state[DATES] = bounds
        else:
            st.session_state[chip.key] = [v for v in st.session_state[chip.key] if v != chip.value]


def understood(index: int, plan: QueryPlan, hits: list[DecisionHit]) -> None:
    """What the question was taken to mean: it ranks, it excludes nothing; one click makes it
    the sidebar's filters (the user's choice, which does exclude)."""
    notes = plan.soft.notes()
    if not notes:
        return
    st.caption(
        "Understood from your question (it ranks the decisions and excludes none): "
        + escape_inline("; ".join(notes))
    )
    if plan.soft.as_filter().is_empty:
        return  # only a council no decision names: there is nothing to filter by
    st.button(
        "Only show decisions matching this",
        key=f"understood_{index}",
        help="Sets the sidebar filters to what was understood; remove any of them there.",
        on_click=apply_hints,
        args=(plan.soft, hits),
    )


def apply_hints(hints: SoftHints, hits: list[DecisionHit]) -> None:
    """Callback: add understood hints to the sidebar's filters. An area or sub-area is
    placed by the results that carry it (the sidebar lists sub-areas with their area)."""
    state = st.session_state
    pairs = {hit.sub_category: (hit.category, hit.sub_category) for hit in hits}
    areas = {hit.category for hit in hits}
    additions = {
        ORGS: hints.organisations,
        OUTCOMES: hints.outcomes,
        REASONS: hints.reasons,
        AREAS: tuple(c for c in hints.categories if c in areas),
        SUBS: tuple(pairs[c] for c in hints.categories if c in pairs),
    }
    for key, values in additions.items():
        state[key] = list(dict.fromkeys([*state.get(key, ()), *values]))
    start, end = hints.dates
    if start or end:
        state[DATES] = (_as_date(start) or dt.date.min, _as_date(end) or dt.date.max)


def describe_filter(where: DecisionFilter) -> str:
    """One line naming the filters that were on (for captions and the export)."""
    parts: list[str] = []
    named: list[tuple[str, tuple[str, ...], Callable[[str], str]]] = [
        ("organisation", where.organisations, str),
        ("area", where.categories, str),
        ("sub-area", where.sub_categories, str),
        ("outcome", where.outcomes, outcome_label),
        ("reason", where.reasons, reason_label),
    ]
    for name, values, label in named:
        if values:
            parts.append(f"{name}: " + ", ".join(label(v) for v in values))
    if where.date_from or where.date_to:
        parts.append(f"decided {where.date_from or 'any'} to {where.date_to or 'any'}")
    return "; ".join(parts)
