"""The complaint pre-check page (see appkit.precheck_page)."""

from appkit.precheck_page import precheck_page

precheck_page()
