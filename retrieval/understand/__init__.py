"""Understanding a question: follow-up rewriting and the query plan (filters, hints, intent)."""
