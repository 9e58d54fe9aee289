"""Sales use cases: one function each, one commit each."""
