"""Typed SQLAlchemy models."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

# Codes stored in the database; their labels in both languages live in labels.py.
TOPICS = (
    "services",
    "separation_custody",
    "moving",
    "parent_coping",
    "child_wellbeing",
    "neuropsychiatric",
    "school_attendance",
    "couple_relationship",
    "family_change",
    "finances",
    "other",
)
CHILD_AGES = ("expecting", "0-2", "3-5", "6-12", "13-17")
CALL_TIMES = ("any", "morning", "afternoon")
LANGUAGES = ("fi", "sv")


class HelpRequest(db.Model):
    """One form a parent sent: what they asked and how to reach them."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    # A random key carried by the form, so a double click or a resubmit stores one request.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    call_language: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text, default="")
    child_ages: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254), default="")
    call_time: Mapped[str] = mapped_column(String(16), default="any")
    sms_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)

    topics: Mapped[list[RequestTopic]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def topic_codes(self) -> list[str]:
        return sorted((t.topic for t in self.topics), key=TOPICS.index)

    @property
    def child_age_codes(self) -> list[str]:
        return [code for code in self.child_ages.split(",") if code]


class RequestTopic(db.Model):
    """A topic the parent ticked; a row each, so statistics can count them in SQL."""

    __tablename__ = "request_topic"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    request: Mapped[HelpRequest] = relationship(back_populates="topics")
