"""The person's own things in and out: password, sessions, second factor, invitations to accept."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from destek.accounts.schemas import MAX_PASSWORD, Name, Role

Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
NewPassword = Annotated[
    str, Field(min_length=8, max_length=MAX_PASSWORD, description="At least 8 characters")
]


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None


class LocaleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: Literal["en", "tr"] | None  # null: follow the browser's language


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: NewPassword
    end_other_sessions: StrictBool = Field(
        default=True, description="Log out every other browser session of yours (this one stays)"
    )
    revoke_api_tokens: StrictBool = Field(
        default=True, description="Revoke every API token of yours, in every account"
    )


class SessionOut(BaseModel):
    id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    expires_at: dt.datetime
    user_agent: str
    browser: str = Field(description='Read from the user agent ("Firefox"); empty when unknown')
    system: str = Field(description='Read from the user agent ("Linux"); empty when unknown')
    ip: str
    current: bool = Field(description="The session this request came with")


class PasswordConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password


class SecondFactorStatus(BaseModel):
    enabled: bool
    recovery_codes_left: int
    required_by: list[str] = Field(description="Accounts of yours that require a second factor")


class SecondFactorSetup(BaseModel):
    secret: str = Field(description="The key, for typing into the app by hand (base32)")
    uri: str = Field(description="The otpauth:// URI the QR code holds")
    qr_svg: str = Field(description="The QR code as an SVG data: URI, for an <img>")


class SecondFactorConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=8, description="The 6 digits the app shows now")


class RecoveryCodes(BaseModel):
    codes: list[str] = Field(description="One-use codes for when the phone is lost; shown only now")


class PendingInvitation(BaseModel):
    id: int
    account_id: int
    account_name: str
    role: Role
    email: str
    invited_by: str | None = Field(description="The name of the administrator who invited")
    expires_at: dt.datetime


class InvitationRegister(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    password: NewPassword
    locale: Literal["en", "tr"] | None = None
