"""Errors of quality assurance's use cases, each with the HTTP status the API answers with
(rendered by the web layer like every ``tickets.errors.DomainError``)."""

from __future__ import annotations

from tickets.errors import DomainError


class QaError(DomainError):
    error_id = "qa"


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
