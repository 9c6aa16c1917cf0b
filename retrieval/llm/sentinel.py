"""The one sentence a language model may reply when the passages do not answer.

Shared by the prompt (retrieval.llm.answerer), which asks for it word for word, and by
the packaged model's grammar (retrieval.llm.local), which allows it as a whole reply;
a module of its own so neither of those imports the other.
"""

from __future__ import annotations

SENTINEL = "I cannot answer this from these decisions."
