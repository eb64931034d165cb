"""The labels API (docs/api.md): every label with its page count, the pages
of a label, a page's labels, and setting them. Counts and lists run over the
pages the caller may see (``queries.py``), as the HTML label pages do; a
change goes through ``service.set_labels`` like the page editor's field."""

from typing import Literal

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from pydantic import Field

from wiki.api import (
    ApiBody,
    ApiError,
    ApiListing,
    ApiOut,
    ApiPageQuery,
    ApiPageRef,
    ApiPageSummary,
    ApiQuery,
    api_page,
    api_page_ref,
    api_page_summaries,
    api_paginate,
)

from . import queries
from .service import LabelError, labels_of, normalise, parse_all, set_labels, sort_key

TAG = "Labels"


class LabelCount(ApiOut):
    name: str
    pages: int = Field(description="How many pages the caller may see carry it.")


class LabelList(ApiOut):
    """Every label on a page the caller may see (a label only pages hidden
    from the caller carry is not listed)."""

    items: list[LabelCount]


class LabelsQuery(ApiQuery):
    sort: Literal["name", "count"] = Field("name", description="A to Z (accents sort with their "
                                                               "letter), or most used first.")


class PageLabels(ApiOut):
    page: ApiPageRef
    labels: list[str] = Field(description="Its labels, A to Z.")


class LabelsChanged(PageLabels):
    added: list[str]
    removed: list[str]


class LabelsBody(ApiBody):
    labels: list[str] = Field(description="Every label the page should have (the ones left out "
                                          "are removed). Written as in the editor: “Soil Carbon” "
                                          "is the label soil-carbon.")


def _names(text):
    """The normalised labels of ``a+b`` (pages carrying all of them); 404 for
    an impossible one: no page can carry it."""
    try:
        return parse_all(text)
    except LabelError as e:
        raise ApiError(404, e.message) from None


def _wanted(labels):
    """The labels of a body, normalised as the editor does, duplicates
    dropped; 422 naming each refused one (and nothing is changed)."""
    names, errors = [], []
    for index, text in enumerate(labels):
        try:
            names.append(normalise(text))
        except LabelError as e:
            errors.append({"field": f"labels.{index}", "message": e.message})
    if errors:
        raise ApiError(422, ngettext("%(num)d label was refused, so none was changed: %(first)s",
                                     "%(num)d labels were refused, so none was changed: %(first)s",
                                     len(errors), first=errors[0]["message"]), "validation", errors=errors)
    return list(dict.fromkeys(names))


def register(api):
    @api.get("/labels", response=LabelList, query=LabelsQuery, summary="Every label", tag=TAG)
    def list_labels(query):
        """Every label with the number of pages carrying it, over the pages
        the caller may see."""
        rows = queries.label_counts(current_user, query.sort)
        return {"items": [{"name": name, "pages": count} for name, count in rows]}

    @api.get("/labels/<name>/pages", response=ApiListing[ApiPageSummary], query=ApiPageQuery,
             summary="The pages of a label", tag=TAG)
    def label_pages(name, query):
        """The pages carrying the label (``a+b``: every one of them) that the
        caller may see, last changed first. The name is read as the editor
        reads it (``Soil Carbon`` is soil-carbon). 404 when no such page is
        visible to the caller."""
        listing = api_paginate(queries.pages_with_all(current_user, _names(name)), query)
        if listing.total == 0:
            raise ApiError(404, _("No page you may see has the label “%(label)s”.", label=name[:100]))
        listing.items = api_page_summaries(listing.items)
        return listing

    @api.get("/pages/<slug>/labels", response=PageLabels, summary="A page's labels", tag=TAG)
    def read_page_labels(slug):
        page = api_page(slug)
        return {"page": api_page_ref(page), "labels": labels_of(page)}

    @api.put("/pages/<slug>/labels", body=LabelsBody, response=LabelsChanged, role="editor",
             summary="Set a page's labels", tag=TAG)
    def set_page_labels(slug, body):
        """Give the page exactly these labels (an empty list removes them
        all), as the editor's Labels field does: one refused label refuses
        the whole change (422), and the page keeps its labels."""
        page = api_page(slug)
        change = set_labels(page, _wanted(body.labels), current_user)
        return {"page": api_page_ref(page), "labels": labels_of(page),
                "added": sorted(change.added, key=sort_key), "removed": sorted(change.removed, key=sort_key)}
