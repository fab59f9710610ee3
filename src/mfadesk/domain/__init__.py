"""Pure domain model: entities, their states and the rules that move them. No I/O."""
