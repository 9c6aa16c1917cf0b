"""Browser tests: a failing test's report carries the Streamlit server's output."""

from __future__ import annotations

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and server is not None and server.log.exists():
        report.sections.append(("streamlit server output", server.log.read_text()))
    return report
