"""The About page (see appkit.about_page)."""

from appkit.about_page import about_page

about_page()
