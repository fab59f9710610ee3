"""Use cases: one function per operation, each in one unit of work with its audit record."""
