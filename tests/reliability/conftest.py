"""Hypothesis keeps its caches in the temp dir, not in the repository (tests never write there)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "ombudsman-qa-hypothesis")
