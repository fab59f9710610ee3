"""A random source that can be told to fail: how tests reach a use case's 500."""

from __future__ import annotations

from mfadesk.domain.clock import SystemRandom


class SwitchableRandom(SystemRandom):
    def __init__(self) -> None:
        self.failing = False

    def uuid4(self) -> str:
        if self.failing:
            raise RuntimeError("injected failure: secret internals must not leak")
        return super().uuid4()
