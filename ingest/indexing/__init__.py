"""Building the index: chunking, embedding, the index identity, and the build pipeline."""
