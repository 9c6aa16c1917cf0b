"""Composing answers: the chain, extractive and counting answers, citations, the pre-check."""
