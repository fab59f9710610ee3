"""What operators watch: Prometheus metrics (`metrics`), the request context and the security
event log lines (`events`). Depends on no other mfadesk package, so every layer may call it."""
