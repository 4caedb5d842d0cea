"""Errors that speak to the user: what went wrong, with which input. Rendered as JSON by app.py."""

from __future__ import annotations


class DestekError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

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
