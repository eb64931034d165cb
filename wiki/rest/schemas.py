"""The building blocks of the API's JSON: ``Body`` for what clients send
(strict: unknown fields and wrong types are refused), ``Out`` for what the
API answers, ``Timestamp``, and the shapes every part shares (problems,
people, list envelopes, page summaries)."""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

T = TypeVar("T")


def _utc(value: datetime) -> str:
    # The database holds naive UTC: say so on the way out ("Z").
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


Timestamp = Annotated[datetime, PlainSerializer(_utc, return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]


class Body(BaseModel):
    """A request body: unknown fields are an error (a misspelt field must not be
    silently ignored), and no type is coerced (``"5"`` is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """Query parameters: unknown ones are an error too; values arrive as text,
    so numbers and booleans are read from it."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Query):
    """The parameters of a paginated list."""

    page: int = Field(1, ge=1, le=1_000_000, description="Which page of the list, from 1.")
    per_page: int = Field(50, ge=1, le=100, description="Items per page (at most 100).")


class Out(BaseModel):
    """A response; built from dicts or objects (``from_attributes``)."""

    model_config = ConfigDict(from_attributes=True)


class Listing(Out, Generic[T]):
    """One page of a list; ``Link`` headers point to the first, previous,
    next and last pages."""

    items: list[T]
    total: int = Field(description="How many items the whole list has (that the caller may see).")
    page: int
    per_page: int


class Problem(BaseModel):
    """An error (RFC 9457). More members may come with some problems:
    ``errors`` (the fields refused), ``conflicts`` (an edit conflict)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="about:blank, or a urn:wiki:problem:… name for problems a "
                                  "client may want to tell apart.")
    title: str
    status: int
    detail: str


class Person(Out):
    """An account as an answer names it."""

    username: str | None = Field(description="None for a visitor without an account.")
    display_name: str


class PageRef(Out):
    """A page as named in another answer."""

    slug: str
    title: str


class PageSummary(Out):
    """A page in a list."""

    slug: str
    title: str
    parent: str | None = Field(description="The parent's address; None at the top level.")
    visibility: str = Field(description="public or members (as set on this page).")
    members_only: bool = Field(description="Whether only members may read it (set here or on "
                                           "an ancestor).")
    language: str
    revision: int = Field(description="The number of the current revision.")
    updated_at: Timestamp
    children: int = Field(description="How many child pages the caller may see.")
    url: str = Field(description="The page in the browser.")
