"""Dot voting: a per-person budget and a per-person, stable order of options. Pure Python."""

import hashlib
import random

DEFAULT_BUDGET = 5


def remaining(budget: int, spent: int) -> int:
    return max(budget - spent, 0)


def check_budget(budget: int, spent: int, adding: int = 1) -> str:
    """An empty string when the vote fits, else the reason it does not."""
    if adding < 1:
        return "A vote adds at least one dot."
    if spent + adding > budget:
        return f"You have used all {budget} of your votes. Take one back from another point first."
    return ""


def shuffled(ids: list[int], *, user_id: int, strategy_id: int) -> list[int]:
    """The same person always sees the same order; two people usually see different ones.

    A per-person order keeps the first option from collecting votes just for being first.
    """
    seed = int.from_bytes(hashlib.sha256(f"{user_id}:{strategy_id}".encode()).digest()[:8], "big")
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return order
