"""Accounts, agents, teams, inboxes, API tokens and logins in and out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool

from destek.db import MAX_ID

Role = Literal["owner", "admin", "agent"]
ChannelType = Literal["widget", "api", "email"]  # channels.registry.kinds()
TierName = Literal["general", "technical", "engineering"]
TIER_NAMES: dict[int, TierName] = {1: "general", 2: "technical", 3: "engineering"}
LOCALE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"
# Argon2 hashes any length; the cap only keeps a request from costing more than a login should.
MAX_PASSWORD = 1024

Name = Annotated[str, Field(min_length=1, max_length=200)]
Locale = Annotated[str, Field(max_length=16, pattern=LOCALE_PATTERN, examples=["en", "tr", "pt-BR"])]
UserId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


# --- login and profile ---------------------------------------------------------------------------


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    code: str | None = Field(
        default=None,
        max_length=32,
        description="With a second factor on: the 6-digit code of the authenticator app, or a recovery code",
    )


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    locale: str | None


class AccountRole(BaseModel):
    id: int
    name: str
    role: Role


class ProfileOut(BaseModel):
    """Who is logged in and the accounts they may work in."""

    user: UserOut
    accounts: list[AccountRole]
    must_change_password: bool = Field(
        description="Logged in with a one-time password: choose your own (POST /api/v1/profile/password) "
        "before anything else"
    )
    second_factor: bool = Field(description="A second factor (TOTP) is on for this login")
    invitations: int = Field(
        description="Invitations to other accounts waiting (GET /api/v1/profile/invitations)"
    )


# --- the account ---------------------------------------------------------------------------------


class AccountOut(BaseModel):
    id: int
    name: str
    locale: str
    timezone: str = Field(description="IANA time zone used for business hours and reports")
    require_second_factor: bool = Field(
        description="Everyone working in the account must log in with a second factor (TOTP)"
    )


class AccountUpdate(BaseModel):
    name: Name | None = None
    locale: Locale | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=64, examples=["Europe/Istanbul"])
    require_second_factor: StrictBool | None = Field(
        default=None, description="true: only people with a second factor can work in the account (owners)"
    )


# --- API tokens ----------------------------------------------------------------------------------


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'CRM sync'")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it")
    user_id: int
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret token; shown only this once. Send it as 'Bearer <token>'")


# --- agents --------------------------------------------------------------------------------------


class AgentOut(BaseModel):
    id: int = Field(description="The agent's user id")
    email: str
    name: str
    role: Role
    active: bool
    team_ids: list[int]
    never_logged_in: bool = Field(
        description="The login was never used: only then may an administrator give a one-time password"
    )


class AgentBrief(BaseModel):
    """A person as the account's events carry them."""

    id: int
    name: str
    role: Role
    active: bool


class AgentUpdate(BaseModel):
    # A name (or anything else of the person's) is refused, not silently ignored: it is theirs.
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    active: StrictBool | None = Field(
        default=None, description="false: in this account, the agent's tokens and open sessions stop working"
    )


class OneTimePassword(BaseModel):
    agent: AgentOut
    password: str = Field(description="Shown only now; the person must choose their own when they log in")
    login_url: str


# --- invitations ---------------------------------------------------------------------------------


class InvitationCreate(BaseModel):
    email: EmailStr
    name: Name = Field(description="How to address them; a new login starts with it, they may change it")
    role: Role = "agent"


class InvitationOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    status: Literal["pending", "expired"]
    invited_by: int | None = Field(description="The user id of the administrator who invited")
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationCreated(InvitationOut):
    url: str = Field(
        description="The link that accepts the invitation; shown only now (a new one: POST .../renew)"
    )


class MembersIn(BaseModel):
    """The complete new member list (replaces the old one)."""

    user_ids: list[UserId] = Field(max_length=1000)


# --- teams ---------------------------------------------------------------------------------------


class TeamOut(BaseModel):
    id: int
    name: str
    tier: int = Field(description="1 general (L1), 2 technical (L2), 3 engineering (L3)")
    tier_name: TierName
    description: str
    member_ids: list[int]
    created_at: dt.datetime


class TeamCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    tier: int = Field(
        default=1, ge=1, le=3, strict=True, description="1 general (L1), 2 technical (L2), 3 engineering (L3)"
    )
    description: str = Field(default="", max_length=500)


class TeamUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    tier: int | None = Field(default=None, ge=1, le=3, strict=True)
    description: str | None = Field(default=None, max_length=500)


# --- inboxes -------------------------------------------------------------------------------------


class InboxOut(BaseModel):
    id: int
    name: str
    channel_type: ChannelType
    public_token: str = Field(description="Identifies the inbox in the public client API and the widget")
    identity_verification: bool
    settings: dict[str, Any]
    member_ids: list[int]
    created_at: dt.datetime
    secret: str | None = Field(
        default=None,
        description="HMAC key for identity verification; present only for administrators",
    )


class InboxCreate(BaseModel):
    name: Name
    channel_type: ChannelType
    settings: dict[str, Any] = Field(default_factory=dict)
    identity_verification: StrictBool = False


class InboxUpdate(BaseModel):
    name: Name | None = None
    settings: dict[str, Any] | None = Field(default=None, description="Merged into the current settings")
    identity_verification: StrictBool | None = None
    rotate_secret: StrictBool = Field(
        default=False, description="true: a new secret; the old one stops verifying identities at once"
    )
