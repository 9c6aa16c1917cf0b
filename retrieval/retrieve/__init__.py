"""Finding decisions: the retrievers, their fusion and ranking per decision, similar decisions,
and whether the best one answers the question."""
