"""Errors that speak to the user: what went wrong, with which input. Rendered as JSON by app.py, in the
one shape `ErrorOut` describes (every 4xx/5xx answer of the API)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DestekError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def headers(self) -> dict[str, str] | None:
        """Headers the answer carries (Retry-After of a 429)."""
        return None

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class Invalid(DestekError):
    status_code = 422
    code = "invalid"


class NotFound(DestekError):
    """Also what a caller gets for anything of another tenant: its existence is never revealed."""

    status_code = 404
    code = "not_found"


class Unauthorized(DestekError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DestekError):
    status_code = 403
    code = "forbidden"


class Conflict(DestekError):
    status_code = 409
    code = "conflict"


class TooLarge(DestekError):
    status_code = 413
    code = "too_large"


class UnsupportedType(DestekError):
    status_code = 415
    code = "unsupported_type"


class TooManyRequests(DestekError):
    """A rate limit refused the request (ratelimit/): the client waits `retry_after` seconds."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, retry_after)

    @property
    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)}

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        error = body["error"]
        assert isinstance(error, dict)
        error["field"] = self.field  # always present, null here: clients read one shape
        error["retry_after"] = self.retry_after
        return body


# --- the body of every error answer, as the OpenAPI document declares it (openapi_spec.py) ------------


class FieldError(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Stable machine-readable code: invalid, unauthorized, forbidden, not_found, conflict, "
        "too_large, unsupported_type, rate_limited, resync, method_not_allowed, ..."
    )
    message: str = Field(description="What went wrong, in English, fit to show a developer")
    field: str | None = Field(default=None, description="The input at fault (dotted path), when one is")
    errors: list[FieldError] | None = Field(
        default=None, description="With code `invalid` from input validation (422): every problem found"
    )
    retry_after: int | None = Field(
        default=None, description="With code `rate_limited` (429): seconds to wait, as in Retry-After"
    )


class ErrorOut(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: ErrorDetail
