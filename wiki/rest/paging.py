"""Lists in pages: ``paginate`` runs the count and the slice, the registry
writes the ``Link`` header (RFC 8288) of the answer."""

from dataclasses import dataclass

from flask import request, url_for

from ..extensions import db


@dataclass
class Paged:
    """What an endpoint returns for a paginated list."""

    items: list
    total: int
    page: int
    per_page: int

    def body(self):
        return {"items": self.items, "total": self.total, "page": self.page, "per_page": self.per_page}

    def link_header(self):
        last = max(1, -(-self.total // self.per_page))
        links = {"first": 1, "last": last}
        if self.page > 1:
            links["prev"] = min(self.page - 1, last)
        if self.page < last:
            links["next"] = self.page + 1
        args = request.args.to_dict()
        parts = []
        for rel, number in links.items():
            url = url_for(request.endpoint, **{**request.view_args, **args, "page": number,
                                               "per_page": self.per_page}, _external=True)
            parts.append(f'<{url}>; rel="{rel}"')
        return ", ".join(parts)


def paginate(select, params, convert=lambda row: row):
    """Run ``select`` for page ``params.page`` of ``params.per_page`` rows (a
    ``PageQuery``), counting the whole list; ``convert`` turns each row into
    an item."""
    total = db.session.scalar(db.select(db.func.count()).select_from(select.order_by(None).subquery()))
    rows = db.session.scalars(select.limit(params.per_page).offset((params.page - 1) * params.per_page))
    return Paged([convert(row) for row in rows], total, params.page, params.per_page)


def paginate_list(items, params):
    """``paginate`` for a list already in memory."""
    start = (params.page - 1) * params.per_page
    return Paged(list(items[start:start + params.per_page]), len(items), params.page, params.per_page)
