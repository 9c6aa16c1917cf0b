"""One "Most relevant" / "Newest first" switch for the lists that have both orders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

Item = TypeVar("Item")
RELEVANT, NEWEST = "Most relevant", "Newest first"


def ordered(items: Sequence[Item], key: str, date: Callable[[Item], str]) -> list[Item]:
    """``items`` (given most relevant first) in the order the person picks under ``key``."""
    choice = st.segmented_control(
        "Order", [RELEVANT, NEWEST], default=RELEVANT, key=key, required=True
    )
    if choice == NEWEST:
        return sorted(items, key=lambda item: date(item) or "", reverse=True)
    return list(items)
