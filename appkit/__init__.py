"""Rendering helpers for ``app.py``, the Streamlit front end.

Each module draws one part of the page; none holds retrieval logic, which
lives in ``retrieval``. Document and user text reach the page only through
:func:`appkit.text.escape_md`, so it is shown as text, never as markup.
"""
