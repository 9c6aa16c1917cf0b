"""The Ask page (see appkit.ask_page)."""

from appkit.ask_page import ask_page

ask_page()
