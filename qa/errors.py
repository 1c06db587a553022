"""Errors of quality assurance's use cases, each with the HTTP status the API answers with."""

from __future__ import annotations


class QaError(ValueError):
    status = 400
    error_id = "qa"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoSuchSample(QaError):
    status = 404
    error_id = "no-such-sample"


class NoSuchReview(QaError):
    status = 404
    error_id = "no-such-review"


class NoSuchAppeal(QaError):
    status = 404
    error_id = "no-such-appeal"


class NoSuchForm(QaError):
    status = 404
    error_id = "no-such-form"


class NotYourReview(QaError):
    status = 403
    error_id = "not-your-review"


class QaConflict(QaError):
    status = 409
    error_id = "qa-conflict"
