"""The search API (docs/api.md): ``GET /api/v1/search?q=…``, the query
language, filters and facets of ``/search``, through the same service.

What the HTML page does, the API does: a query that breaks the rules of the
language is searched as well as it can be, with ``notices`` saying what was
done (200, never 400: parsing never fails); 400 is only for the request's
parameters (``q`` missing, ``page`` or ``per_page`` out of bounds, an
unknown parameter). Visibility is the service's: members-only documents
count nowhere (results, totals, facets, suggestions) for a caller who may
not read them. Changes show as soon as the request that made them has
returned (the index is brought up to date after every request).
"""

from urllib.parse import urljoin

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape
from pydantic import Field

from wiki.api import ApiError, ApiListing, ApiOut, ApiPaged, ApiPageQuery, ApiPageRef, ApiTimestamp

from .service import PER_PAGE, search
from .views import file_url

TAG = "Search"
MAX_PER_PAGE = 50


class SearchQuery(ApiPageQuery):
    q: str = Field(description="The query, in the search box's language (docs/search.md): words, "
                               "\"phrases\", OR, -exclusions, prefix*, and the filters label:, "
                               "author:, type:, filetype:, in:, updated: (or their French names).")
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE,
                          description=f"Results per page (at most {MAX_PER_PAGE}).")


class Section(ApiOut):
    anchor: str = Field(description="The anchor of the folded section (or, for a PDF, page=N).")
    title: str


class SearchHit(ApiOut):
    kind: str = Field(description="page, comment or file.")
    page: ApiPageRef = Field(description="The page it is (or is on).")
    breadcrumb: list[ApiPageRef] = Field(description="The page's ancestors, from the top.")
    title: str = Field(description="The page's title, the file's name, or “Comment on …”.")
    title_html: str = Field(description="The title escaped, the searched words in <mark>.")
    snippet_html: str = Field(description="The best passages, as the search page shows them: "
                                          "escaped text, the searched words in <mark>.")
    snippet_text: str = Field(description="The same passages as plain text.")
    url: str = Field(description="Where the hit leads in the browser (the comment, the "
                                 "section, the file).")
    section: Section | None = Field(description="The folded section (or PDF page) of the best match.")
    updated_at: ApiTimestamp
    labels: list[str] = Field(description="The labels of its page.")
    author: str | None = Field(description="Comments: who wrote it; files: who uploaded it.")
    comment_id: int | None
    file_name: str | None
    filetype: str | None = Field(description="Files: pdf, docx, png…")


class Facet(ApiOut):
    value: str
    count: int = Field(description="How many results (that the caller may see) have it.")
    applied: bool = Field(description="Whether the query has this filter already.")
    query: str = Field(description="The query narrowed by this value, or without it when applied.")


class Facets(ApiOut):
    type: list[Facet]
    label: list[Facet]


class SearchOut(ApiListing[SearchHit]):
    """One page of results, best first; ``total``, ``facets`` and
    ``suggestion`` count only what the caller may read."""

    query: str = Field(description="The query as it was searched (control characters dropped, "
                                   "cut at 500 characters).")
    notices: list[str] = Field(description="What was done with parts of the query that break its "
                                           "rules, and whether search is unavailable.")
    suggestion: str | None = Field(description="“Did you mean”: a corrected query that finds "
                                               "something, when this one finds nothing.")
    facets: Facets


def _absolute(path):
    return urljoin(request.host_url, path)


def _url(hit):
    """The hit's link, as the search page's template makes it."""
    if hit.type == "file":
        return _absolute(file_url(hit))
    anchor = ""
    if hit.type == "comment":
        anchor = f"#comment-{hit.comment_id}"
    elif hit.section:
        anchor = f"#{hit.section['anchor']}"
    return url_for("pages.view", slug=hit.slug, _external=True) + anchor


def _hit(hit):
    if hit.type == "comment":
        title_html = escape(_("Comment on “%(title)s”", title=hit.page_title))
    else:
        title_html = hit.title
    return {"kind": hit.type, "page": {"slug": hit.slug, "title": hit.page_title or hit.title.striptags()},
            "breadcrumb": [{"slug": slug, "title": title} for slug, title in hit.breadcrumb],
            "title": title_html.striptags(), "title_html": str(title_html),
            "snippet_html": str(hit.snippet), "snippet_text": hit.snippet.striptags(),
            "url": _url(hit), "section": hit.section, "updated_at": hit.updated, "labels": hit.labels,
            "author": hit.author_name if hit.type != "page" else None, "comment_id": hit.comment_id,
            "file_name": hit.file_name, "filetype": hit.filetype or None}


def _facets(found):
    return {name: [{"value": f.value, "count": f.count, "applied": f.applied, "query": f.query}
                   for f in found.facets(name)] for name in ("type", "label")}


def register(api):
    @api.get("/search", response=SearchOut, query=SearchQuery, problems=(503,),
             summary="Search pages, comments and files", tag=TAG)
    def search_wiki(query):
        """The results of ``q`` that the caller may read, as the search page
        (/search) finds them, with its snippets, facets and “did you mean”.
        A query that does not follow the language's rules is searched as well
        as it can be and ``notices`` say what was done: 200, as on the search
        page; 400 only for wrong parameters. A page past the last one is
        empty (``Link`` gives the last)."""
        found = search(query.q, current_user, query.page, query.per_page)
        # The engines answer the last page for one past it; here it is empty, as in other lists.
        hits = found.results.hits if found.results.page == query.page else []
        if found.building:  # nothing can be found yet: as the search page, come back later
            raise ApiError(503, _("The search index is being built (the first start, or after a "
                                  "reindex): try again in a minute."), headers={"Retry-After": "60"})
        # The service counted and sliced: one page of the list, as the others are.
        listing = ApiPaged([_hit(hit) for hit in hits], found.results.total, query.page, query.per_page)
        body = {**listing.body(), "query": found.text, "notices": [str(n) for n in found.notices],
                "suggestion": found.suggestion, "facets": _facets(found)}
        return body, 200, {"Link": listing.link_header()}
