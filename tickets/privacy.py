"""Caller data as pages, logs and units see it: numbers and names masked.

One rule everywhere, so that the wallboard, the order pages, the recordings and QA show
the same caller the same way; only the agent on the call (and a callback they place)
sees the whole number.
"""

from __future__ import annotations


def mask_number(number: str) -> str:
    """138****1234: the first three and last four digits of a number of eleven or more;
    shorter numbers keep their last four."""
    if len(number) >= 11:
        return f"{number[:3]}****{number[-4:]}"
    if len(number) > 4:
        return f"{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * len(number)


def mask_name(name: str) -> str:
    """王** : the family name only."""
    return f"{name[0]}{'*' * (len(name) - 1)}" if name else ""
