"""The HTTP edge: JWT authentication, rate limiting, routes (wire -> service -> wire) and the
single mapping from domain errors to the contract's error bodies."""
