"""Typed SQLAlchemy models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from pyydaapua.database import Model, db
from pyydaapua.rules.codes import TOPICS

# Every column says whether it holds the family's personal data: info={"personal": True} is
# removed by retention (retention.py) once the request has been closed long enough, emptied
# ("") or set to NULL when the column allows it; info={"personal": False} is kept (ids, codes,
# times, counts, references, staff accounts and the audit log). A column without the mark
# fails the tests.


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite gives naive values back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store times in UTC with tzinfo")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# The open statuses (rules/status_flow.py OPEN_STATUSES), for a partial index.
OPEN_CONDITION = "status IN ('new', 'in_progress', 'waiting')"


class HelpRequest(Model):
    """One form a parent sent: what they asked and how to reach them."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    reference: Mapped[str] = mapped_column(String(8), unique=True, info={"personal": False})
    # A random key carried by the form, so a double click or a resubmit stores one request.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True, info={"personal": False})
    language: Mapped[str] = mapped_column(String(2), info={"personal": False})
    call_language: Mapped[str] = mapped_column(String(2), info={"personal": False})
    description: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    child_ages: Mapped[str] = mapped_column(String(64), default="", info={"personal": False})
    name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    # The name and the description lower-cased, for the inbox's search for words: computed by
    # the database whenever either changes (and so cleared with them), so that a search does
    # not lower-case every row it reads; on PostgreSQL one trigram index serves it (migration
    # 0018; on SQLite the column is virtual). Never loaded with a request.
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed("lower(trim(name || ' ' || description))", persisted=True),
        deferred=True,
        info={"personal": True},
    )
    phone: Mapped[str] = mapped_column(String(32), info={"personal": True})
    email: Mapped[str] = mapped_column(String(254), default="", info={"personal": True})
    # How the family hears back (CONTACT_METHODS): "phone", a call to ``phone``; or
    # "status_page", messages on the status page, opened with the reference and a secret code
    # (``phone`` is then empty). The code is kept only as an argon2id hash, removed with the
    # family's data.
    contact_method: Mapped[str] = mapped_column(
        String(16), default="phone", server_default="phone", info={"personal": False}
    )
    status_secret_hash: Mapped[str | None] = mapped_column(
        String(255), nullable=True, info={"personal": True}
    )
    # When the family wrote on the status page and nobody has answered yet (else NULL): the
    # inbox's "new message from the family".
    family_message_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    call_time: Mapped[str] = mapped_column(String(16), default="any", info={"personal": False})
    sms_ok: Mapped[bool] = mapped_column(Boolean, default=False, info={"personal": False})
    submitted_at: Mapped[datetime] = mapped_column(
        UTCDateTime, index=True, info={"personal": False}
    )
    # The submission day in Helsinki and its month (YYYYMM): reports filter and group by them.
    submitted_on: Mapped[date] = mapped_column(Date, info={"personal": False})
    submitted_month: Mapped[int] = mapped_column(Integer, info={"personal": False})
    due_date: Mapped[date] = mapped_column(Date, index=True, info={"personal": False})

    # Working the request. The version guards every change (optimistic locking).
    status: Mapped[str] = mapped_column(
        String(16), default="new", index=True, info={"personal": False}
    )
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id"), nullable=True, index=True, info={"personal": False}
    )
    call_attempts: Mapped[int] = mapped_column(Integer, default=0, info={"personal": False})
    first_contact_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    first_contact_on_time: Mapped[bool | None] = mapped_column(
        Boolean, nullable=True, info={"personal": False}
    )
    # Working days from the submission day to the first contact (workdays.py), for reports.
    first_contact_workdays: Mapped[int | None] = mapped_column(
        Integer, nullable=True, info={"personal": False}
    )
    # The calls it took to reach the family the first time (the reached call included), for
    # the reports' "reached at the first try".
    first_contact_attempts: Mapped[int | None] = mapped_column(
        Integer, nullable=True, info={"personal": False}
    )
    # The next call planned (a call-back at a set time): when, by whom, and whether the time was
    # agreed with the family (else proposed from their good time to call). NULL when none is.
    planned_call_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    planned_call_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id"), nullable=True, info={"personal": False}
    )
    planned_call_agreed: Mapped[bool | None] = mapped_column(
        Boolean, nullable=True, info={"personal": False}
    )
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True, info={"personal": False})
    closed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id"), nullable=True, info={"personal": False}
    )
    # Set when the retention job removed the family's personal data; statistics stay.
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    version: Mapped[int] = mapped_column(Integer, default=1, info={"personal": False})

    # The search text is not read back after an INSERT or an UPDATE (it is never loaded).
    __mapper_args__ = {"version_id_col": version, "eager_defaults": False}
    # Holds every column the reports read (the id for their joins), so they never touch the
    # rows themselves.
    __table_args__ = (
        Index(
            "ix_help_request_report",
            "submitted_on",
            "submitted_month",
            "call_language",
            "due_date",
            "first_contact_at",
            "first_contact_on_time",
            "first_contact_workdays",
            "status",
            "outcome",
            "call_attempts",
            "contact_method",
            "first_contact_attempts",
            "id",
        ),
        # The open requests in the inbox's order, the ones not yet reached first: its default
        # page reads no closed request, and the requests not yet reached come first.
        Index(
            "ix_help_request_open_reached_due",
            text("(first_contact_at IS NOT NULL)"),
            "due_date",
            "submitted_at",
            "id",
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
        # The same family asking again: the requests from one phone number, by time.
        Index("ix_help_request_phone_submitted", "phone", "submitted_at"),
        # The requests with a message from the family waiting for an answer.
        Index(
            "ix_help_request_family_message",
            "family_message_at",
            sqlite_where=text("family_message_at IS NOT NULL"),
            postgresql_where=text("family_message_at IS NOT NULL"),
        ),
        # A counsellor's planned calls in time order ("My calls today").
        Index(
            "ix_help_request_planned_call",
            "planned_call_by_id",
            "planned_call_at",
            sqlite_where=text("planned_call_at IS NOT NULL"),
            postgresql_where=text("planned_call_at IS NOT NULL"),
        ),
    )

    topics: Mapped[list[RequestTopic]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="selectin"
    )
    assigned_to: Mapped[StaffUser | None] = relationship(foreign_keys=[assigned_to_id])
    planned_call_by: Mapped[StaffUser | None] = relationship(foreign_keys=[planned_call_by_id])
    updated_by: Mapped[StaffUser | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def topic_codes(self) -> list[str]:
        return sorted((t.topic for t in self.topics), key=TOPICS.index)

    @property
    def child_age_codes(self) -> list[str]:
        return [code for code in self.child_ages.split(",") if code]


class RequestCount(Model):
    """How many requests there are of each status, with and without an owner. Database
    triggers (migration 0006) keep the numbers exact in the transaction of every change, so
    the inbox and its menu never count the whole table."""

    __tablename__ = "request_count"

    status: Mapped[str] = mapped_column(String(16), primary_key=True, info={"personal": False})
    assigned: Mapped[bool] = mapped_column(Boolean, primary_key=True, info={"personal": False})
    total: Mapped[int] = mapped_column(Integer, info={"personal": False})


class ReportDayCount(Model):
    """The reports' numbers per submission day: how many requests (or topics, referrals,
    home visits) received that day there are of each kind, a row per day, figure and code
    (migration 0015 lists them). Database triggers keep them exact in the transaction of every
    change, so a report of any period adds up days instead of counting requests."""

    __tablename__ = "report_day_count"

    day: Mapped[date] = mapped_column(Date, primary_key=True, info={"personal": False})
    month: Mapped[int] = mapped_column(Integer, info={"personal": False})  # YYYYMM of the day
    figure: Mapped[str] = mapped_column(String(16), primary_key=True, info={"personal": False})
    code: Mapped[str] = mapped_column(String(64), primary_key=True, info={"personal": False})
    total: Mapped[int] = mapped_column(Integer, info={"personal": False})

    # A period's days are read along the key; no other index, so that PostgreSQL updates a
    # count in place (migration 0015 leaves room on each page for it). On SQLite the rows are
    # stored in the key's order.
    __table_args__ = {"sqlite_with_rowid": False}


class RequestTopic(Model):
    """A topic the parent ticked; a row each, so statistics can count them in SQL."""

    __tablename__ = "request_topic"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"),
        primary_key=True,
        info={"personal": False},
    )
    topic: Mapped[str] = mapped_column(
        String(32), primary_key=True, index=True, info={"personal": False}
    )

    request: Mapped[HelpRequest] = relationship(back_populates="topics")


class StaffUser(UserMixin, Model):
    """A member of staff who signs in. The password is stored only as an argon2id hash."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    email: Mapped[str] = mapped_column(String(254), unique=True, info={"personal": False})
    name: Mapped[str] = mapped_column(String(200), info={"personal": False})
    role: Mapped[str] = mapped_column(String(16), info={"personal": False})
    language: Mapped[str] = mapped_column(String(2), default="fi", info={"personal": False})
    active: Mapped[bool] = mapped_column(Boolean, default=True, info={"personal": False})
    password_hash: Mapped[str] = mapped_column(String(255), info={"personal": False})
    # Set when an administrator sets a new password: the user must choose their own next.
    password_change_required: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"personal": False}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    # The second sign-in step (two_factor.py): the TOTP secret, kept on the server from the
    # moment enrolment starts; in use once a code has confirmed it (totp_confirmed_at).
    totp_secret: Mapped[str | None] = mapped_column(
        String(64), nullable=True, info={"personal": False}
    )
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    # The last time step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True, info={"personal": False}
    )
    # Single sign-on: the provider's stable identifier of the person (OIDC_SUBJECT_CLAIM, the
    # ``sub`` by default). An account with it signs in through the city's identity provider
    # and has no password of ours (an empty hash never verifies).
    sso_subject: Mapped[str | None] = mapped_column(
        String(255), unique=True, nullable=True, info={"personal": False}
    )
    # The last sign-in and how it was made ("password" or "sso"), for the administrators.
    last_sign_in_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    last_sign_in_method: Mapped[str | None] = mapped_column(
        String(16), nullable=True, info={"personal": False}
    )
    # The inbox's panels this user keeps open (comma-separated names), remembered between visits.
    inbox_panels: Mapped[str] = mapped_column(
        String(64), default="", server_default="", info={"personal": False}
    )

    # Set when the user is loaded for a signed-in session; Flask-Login keeps this in the cookie,
    # so signing out (which ends the server-side session) makes an old cookie worthless.
    # Also set then, on pages that are only read: the numbers beside the staff menu's links,
    # read in the same statement as the session (accounts/auth.py MENU_COUNTS).
    if TYPE_CHECKING:  # annotated for the type checker only: the ORM would look for a column
        session_token: str | None = None
        menu_counts: dict[str, int] | None = None
    else:
        session_token = None  # not a column
        menu_counts = None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def two_factor_enrolled(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None


class StaffSession(Model):
    """One sign-in: ends on sign-out, after the idle timeout or at the absolute lifetime."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    token: Mapped[str] = mapped_column(String(64), unique=True, info={"personal": False})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id"), index=True, info={"personal": False}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    ended_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    # A session started by single sign-on: the provider's session id (``sid``), which a
    # back-channel logout names, and the ID token, sent back as the hint when signing out at
    # the provider. Both stay on the server.
    provider_sid: Mapped[str | None] = mapped_column(
        String(255), nullable=True, index=True, info={"personal": False}
    )
    id_token: Mapped[str | None] = mapped_column(Text, nullable=True, info={"personal": False})

    user: Mapped[StaffUser] = relationship(lazy="joined")


class PublicSession(Model):
    """A parent's browser on the public pages: the cookie holds only a random token, whose
    SHA-256 hash is kept here. It carries what must not live in a cookie: the submission key
    of the form this browser was given, the request it sent or opened, the secret code on its
    way to the parent, and whether the status page is open. It ends on the quick exit, on
    closing the status page, after ``STATUS_SESSION_MINUTES`` without use, and with the
    request's personal data at retention."""

    __tablename__ = "public_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"personal": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    last_seen_at: Mapped[datetime] = mapped_column(
        UTCDateTime, index=True, info={"personal": False}
    )
    # The key of the form this browser was given: a form posted with it was sent from here.
    form_key: Mapped[str | None] = mapped_column(
        String(64), nullable=True, info={"personal": False}
    )
    # The request this browser sent (``sent``) or opened on the status page (``status_open``).
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
        info={"personal": False},
    )
    sent: Mapped[bool] = mapped_column(Boolean, default=False, info={"personal": False})
    status_open: Mapped[bool] = mapped_column(Boolean, default=False, info={"personal": False})
    # The status page's secret code of the request just sent, until the parent says it is
    # written down (the request keeps only its hash).
    secret_code: Mapped[str | None] = mapped_column(
        String(32), nullable=True, info={"personal": True}
    )
    # "Your message was sent", shown once on the next status page.
    message_sent: Mapped[bool] = mapped_column(Boolean, default=False, info={"personal": False})

    help_request: Mapped[HelpRequest | None] = relationship()


class SignInState(Model):
    """What a single sign-on needs between leaving for the identity provider and coming back:
    the nonce, the PKCE verifier and the return address, under a key that names the ``state``
    (Authlib's cache interface, accounts/identity_provider.py). Kept here rather than in the
    cookie, so that nothing secret is in a cookie and the callback may land on any server."""

    __tablename__ = "sign_in_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True, info={"personal": False})
    value: Mapped[str] = mapped_column(Text, info={"personal": False})
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info={"personal": False})


class RecoveryCode(Model):
    """One single-use recovery code of a staff user, stored only as a SHA-256 hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id"), index=True, info={"personal": False}
    )
    code_hash: Mapped[str] = mapped_column(String(64), info={"personal": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )


class AuditEvent(Model):
    """Who did what, when, from where, to which request. Never the family's own words."""

    __tablename__ = "audit_event"
    # The supervisor's log review: one person's reads on one basis in a period.
    __table_args__ = (Index("ix_audit_event_review", "basis", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info={"personal": False})
    action: Mapped[str] = mapped_column(String(40), index=True, info={"personal": False})
    # The member of staff and the request by id, without foreign keys: writing a page's events
    # reads and locks none of the rows they name (migration 0017).
    user_id: Mapped[int | None] = mapped_column(
        Integer, nullable=True, index=True, info={"personal": False}
    )
    request_id: Mapped[int | None] = mapped_column(
        Integer, nullable=True, index=True, info={"personal": False}
    )
    client_address: Mapped[str] = mapped_column(String(64), default="", info={"personal": False})
    target: Mapped[str] = mapped_column(String(200), default="", info={"personal": False})
    # On what basis the request was read or changed (rules/access_basis.py), for events that
    # concern a request; NULL for the others, and for events written before it was kept.
    basis: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"personal": False})


class Service(Model):
    """A service in the catalogue that families are referred to."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    name_fi: Mapped[str] = mapped_column(String(200), info={"personal": False})
    name_sv: Mapped[str] = mapped_column(String(200), info={"personal": False})
    provider_type: Mapped[str] = mapped_column(String(20), index=True, info={"personal": False})
    provider: Mapped[str] = mapped_column(String(200), default="", info={"personal": False})
    description_fi: Mapped[str] = mapped_column(Text, default="", info={"personal": False})
    description_sv: Mapped[str] = mapped_column(Text, default="", info={"personal": False})
    phone: Mapped[str] = mapped_column(String(40), default="", info={"personal": False})
    email: Mapped[str] = mapped_column(String(254), default="", info={"personal": False})
    url: Mapped[str] = mapped_column(String(300), default="", info={"personal": False})
    active: Mapped[bool] = mapped_column(Boolean, default=True, info={"personal": False})

    def name(self, language: str) -> str:
        return self.name_sv if language == "sv" else self.name_fi

    def description(self, language: str) -> str:
        return self.description_sv if language == "sv" else self.description_fi


class Call(Model):
    """A phone call, with the check-in the counsellor always asks about."""

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id"), index=True, info={"personal": False}
    )
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    result: Mapped[str] = mapped_column(String(16), info={"personal": False})
    duration_minutes: Mapped[int | None] = mapped_column(
        Integer, nullable=True, info={"personal": False}
    )
    notes: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    coping: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"personal": False})
    coping_note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    finances: Mapped[str | None] = mapped_column(
        String(16), nullable=True, info={"personal": False}
    )
    finances_note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    daily_life: Mapped[str | None] = mapped_column(
        String(16), nullable=True, info={"personal": False}
    )
    daily_life_note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})


home_visit_staff = db.Table(
    "home_visit_staff",
    db.Column("visit_id", ForeignKey("home_visit.id"), primary_key=True, info={"personal": False}),
    db.Column("user_id", ForeignKey("staff_user.id"), primary_key=True, info={"personal": False}),
)


class HomeVisit(Model):
    """A home visit booked to map the family's situation more closely."""

    __tablename__ = "home_visit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id"), index=True, info={"personal": False}
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info={"personal": False})
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60, info={"personal": False})
    address: Mapped[str] = mapped_column(String(300), default="", info={"personal": True})
    status: Mapped[str] = mapped_column(String(16), default="planned", info={"personal": False})
    status_note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})

    staff: Mapped[list[StaffUser]] = relationship(secondary=home_visit_staff, lazy="selectin")
    request: Mapped[HelpRequest] = relationship()


class Referral(Model):
    """Guiding the family to a service in the catalogue."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id"), index=True, info={"personal": False}
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id"), index=True, info={"personal": False}
    )
    status: Mapped[str] = mapped_column(String(16), default="suggested", info={"personal": False})
    note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    # The family's consent to passing their information to the service (CONSENT codes); NULL on
    # referrals recorded before consent was asked. Kept at retention: the reports count it.
    consent: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"personal": False})

    service: Mapped[Service] = relationship(lazy="joined")


class Disclosure(Model):
    """One entry in the disclosure log (Client Data Act 703/2023): which categories of the
    family's information were passed on, to whom, when, by whom and on what basis. Never the
    information itself; kept at retention like the audit log."""

    __tablename__ = "disclosure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id"), index=True, info={"personal": False}
    )
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id"), nullable=True, index=True, info={"personal": False}
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id"), nullable=True, info={"personal": False}
    )
    # To whom: the service's name as it was then, and the unit or worker when given.
    recipient: Mapped[str] = mapped_column(String(300), info={"personal": False})
    # What: category codes, comma-separated (never the information itself).
    categories: Mapped[str] = mapped_column(String(200), info={"personal": False})
    # On what basis: the consent code.
    basis: Mapped[str] = mapped_column(String(16), info={"personal": False})

    user: Mapped[StaffUser | None] = relationship(lazy="joined")
    referral: Mapped[Referral | None] = relationship(lazy="joined")


class TimelineEvent(Model):
    """One thing that happened to a request, shown newest first on its page."""

    __tablename__ = "timeline_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id"), index=True, info={"personal": False}
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id"), nullable=True, info={"personal": False}
    )
    kind: Mapped[str] = mapped_column(String(32), info={"personal": False})
    # A short code the kind needs (a status, an outcome, a referral status); never free text.
    value: Mapped[str] = mapped_column(String(40), default="", info={"personal": False})
    note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    other_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id"), nullable=True, info={"personal": False}
    )
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id"), nullable=True, info={"personal": False}
    )
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("home_visit.id"), nullable=True, info={"personal": False}
    )
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id"), nullable=True, info={"personal": False}
    )

    user: Mapped[StaffUser | None] = relationship(foreign_keys=[user_id], lazy="joined")
    other_user: Mapped[StaffUser | None] = relationship(foreign_keys=[other_user_id], lazy="joined")
    call: Mapped[Call | None] = relationship(lazy="joined")
    visit: Mapped[HomeVisit | None] = relationship(lazy="joined")
    referral: Mapped[Referral | None] = relationship(lazy="joined")


class OutboxMessage(Model):
    """One e-mail to send, written in the same transaction as the change that caused it and
    delivered by ``flask send-mail``. Its text never holds the family's own words, name or
    phone number; the recipient may be the parent's address, removed with the family's data."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"personal": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    kind: Mapped[str] = mapped_column(String(32), info={"personal": False})
    # The request it is about (None for the daily summary).
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_request.id"), nullable=True, index=True, info={"personal": False}
    )
    recipient: Mapped[str] = mapped_column(String(254), info={"personal": True})
    language: Mapped[str] = mapped_column(String(2), info={"personal": False})
    subject: Mapped[str] = mapped_column(String(200), info={"personal": False})
    body: Mapped[str] = mapped_column(Text, info={"personal": False})
    # Makes a message that must go once (a reminder, a day's summary) unique.
    dedupe_key: Mapped[str | None] = mapped_column(
        String(100), unique=True, nullable=True, info={"personal": False}
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", info={"personal": False})
    attempts: Mapped[int] = mapped_column(Integer, default=0, info={"personal": False})
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"personal": False})
    claimed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    sent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info={"personal": False}
    )
    last_error: Mapped[str] = mapped_column(String(500), default="", info={"personal": False})

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)
