"""Errors of the use cases (work-order steps here, quality assurance in ``qa.errors``),
each with the HTTP status and id the API answers with: the web layer's error middleware
renders every ``DomainError`` the same way."""

from __future__ import annotations


class DomainError(ValueError):
    status = 400
    error_id = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OrderError(DomainError):
    error_id = "invalid-order"


class InvalidOrder(OrderError):
    """A form or a step's input that cannot be stored: says which field and why."""


class NoSuchOrder(OrderError):
    status = 404
    error_id = "no-such-order"

    def __init__(self, number: str) -> None:
        super().__init__(f"no work order {number!r}")


class IllegalStepError(OrderError):
    status = 409
    error_id = "illegal-step"


class OrderChanged(OrderError):
    """Someone else changed the order between reading and writing it."""

    status = 409
    error_id = "order-changed"

    def __init__(self, number: str) -> None:
        super().__init__(f"order {number} was changed by someone else meanwhile; reload and retry")
