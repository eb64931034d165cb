"""The attachments API (docs/api.md): a page's files, uploading one
(multipart/form-data), downloading one, deleting one (soft).

The rules are the HTML views': who may upload (``views.may_upload``: editors,
and members when ``ATTACHMENTS_MEMBERS_UPLOAD``), the checks of a file
(``service.add``: its name, empty, the size limit, the allowed types; the
same name makes a new version), deleting for editors (``service.delete``);
a download is served by ``views.download``, with its type sniffing,
Content-Disposition, nosniff and sandbox. A file of a page the caller may
not see is a 404, as the page is.
"""

from typing import Literal

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from wiki.api import (
    ApiError,
    ApiListing,
    ApiOut,
    ApiPageQuery,
    ApiPageRef,
    ApiPerson,
    ApiQuery,
    ApiTimestamp,
    api_page,
    api_page_ref,
    api_paginate_list,
    api_person,
    db,
)

from . import extraction, service, views
from .sniff import IMAGES, INLINE, PLAIN_TEXT

TAG = "Attachments"
# What a download may be served as (sniff.py): what is not shown inline goes as bytes.
SERVED_AS = ("application/octet-stream", *sorted(INLINE), *sorted(PLAIN_TEXT))
FIELDS = ("file", "name")  # the parts of an upload

UPLOAD = {
    "type": "object",
    "required": ["file"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "The file; its file name is its name on the page unless `name` is given."},
        "name": {"type": "string", "maxLength": service.MAX_NAME,
                 "description": "The name to attach it under (a file of that name gets a new version)."},
    },
}


class AttachmentOut(ApiOut):
    name: str = Field(description="Its name on the page (Markdown refers to it by this name).")
    page: ApiPageRef
    size: int = Field(description="Bytes, of the current version.")
    media_type: str = Field(description="The type sniffed from its bytes.")
    version: int = Field(description="The number of the current version.")
    versions: list[int] = Field(description="The numbers of every version, for ?version=N.")
    uploader: ApiPerson | None = Field(description="Who uploaded the current version.")
    created_at: ApiTimestamp = Field(description="When the file was first attached.")
    uploaded_at: ApiTimestamp = Field(description="When the current version was uploaded.")
    url: str = Field(description="Its bytes, through the API.")
    thumbnail_url: str | None = Field(description="Images: a smaller copy for a large one, else "
                                                   "the image itself; None for other files.")
    markdown: str = Field(description="How a page shows or links to it.")


class Attached(AttachmentOut):
    new: bool = Field(description="False when it is a new version of a file of that name.")


class DownloadQuery(ApiQuery):
    version: int | None = Field(None, ge=1, description="A version's number; the current one when "
                                                        "left out.")
    rendition: Literal["1"] | None = Field(None, description="1: the smaller copy of a large image "
                                                             "(as thumbnail_url names it).")


def _download_url(attachment, **args):
    return url_for("rest.download_attachment", slug=attachment.page.slug, name=attachment.name,
                   _external=True, **args)


def _out(attachment, **more):
    version = attachment.current
    thumbnail = None
    if version.mime in IMAGES:
        thumbnail = _download_url(attachment, **({"rendition": "1"} if version.rendition_sha256 else {}))
    return {"name": attachment.name, "page": api_page_ref(attachment.page), "size": version.size,
            "media_type": version.mime, "version": version.number,
            "versions": [v.number for v in attachment.versions], "uploader": api_person(version.uploader),
            "created_at": attachment.created_at, "uploaded_at": version.created_at,
            "url": _download_url(attachment), "thumbnail_url": thumbnail,
            "markdown": views._described(attachment)["markdown"], **more}


def _attachment(page, name):
    attachment = service.find(page, name)
    if attachment is None:
        raise ApiError(404, _("“%(title)s” has no file “%(name)s”.", title=page.title, name=name[:200]))
    return attachment


def _upload():
    """The one file of the request, and the name to attach it under."""
    try:  # the limit is the upload's, as for the page's form (views.UPLOAD_ENDPOINTS)
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise ApiError(413, views.too_large()) from None
    unknown = sorted((set(files) | set(form)) - set(FIELDS))
    if unknown:
        raise ApiError(422, _("Some fields are wrong: %(names)s.", names=", ".join(unknown)), "validation",
                       errors=[{"field": name, "message": _("Unknown field: remove it, or check its "
                                                            "spelling.")} for name in unknown])
    uploads = [f for f in files.getlist("file") if f and f.filename]
    if not uploads:
        raise ApiError(400, _("Choose a file to attach."))
    if len(uploads) > 1 or len(form.getlist("name")) > 1:
        raise ApiError(400, _("Send one file per request."))
    return uploads[0], (form.get("name") or "").strip() or uploads[0].filename


def register(api):
    @api.get("/pages/<slug>/attachments", response=ApiListing[AttachmentOut], query=ApiPageQuery,
             summary="A page's files", tag=TAG)
    def list_attachments(slug, query):
        """The files attached to the page, by name (deleted ones are not listed)."""
        page = api_page(slug)
        listing = api_paginate_list(service.listed(page), query)
        listing.items = [_out(a) for a in listing.items]
        return listing

    @api.post("/pages/<slug>/attachments", response=Attached, upload=UPLOAD, status=201, role="member",
              summary="Attach a file", tag=TAG)
    def upload_attachment(slug):
        """Attach one file (multipart/form-data, in the part ``file``) to the
        page, as the page's upload form does: editors may (and members, when
        the wiki lets them); a file of the same name gets a new version. A
        file that is empty or badly named is a 400, larger than the limit a
        413, of a kind the wiki does not take a 415; nothing is attached then."""
        page = api_page(slug)
        if not views.may_upload(current_user):
            raise ApiError(403, _("Your account cannot attach files to pages."))
        upload, name = _upload()
        try:
            added = service.add(page, name, upload.stream, current_user)
        except service.AttachmentError as e:
            db.session.rollback()
            raise ApiError(e.status, e.message) from None
        extraction.runner().kick()  # the text is read after the response, never during it
        return _out(added.attachment, new=added.new), 201, {"Location": _download_url(added.attachment)}

    @api.get("/pages/<slug>/attachments/<name>", query=DownloadQuery, media=SERVED_AS,
             summary="Download a file", tag=TAG)
    def download_attachment(slug, name, query):
        """The file's bytes (``?version=N``: an older version), served as the
        page serves them: the type sniffed from the bytes, images and PDF
        inline and everything else as a download (Content-Disposition),
        ``X-Content-Type-Options: nosniff`` and a sandboxing
        Content-Security-Policy; ETag and ranges."""
        page = api_page(slug)
        attachment = _attachment(page, name)
        if query.version and service.version(attachment, query.version) is None:
            raise ApiError(404, _("“%(name)s” has no version %(number)s.", name=attachment.name,
                                  number=query.version))
        served = views.download(page.slug, attachment.name)
        if not isinstance(served, Response):  # the blob is missing: logged by the view
            raise ApiError(404, _("The file “%(name)s” is missing from the store.", name=attachment.name))
        return served

    @api.delete("/pages/<slug>/attachments/<name>", role="editor", status=204,
                summary="Delete a file", tag=TAG)
    def delete_attachment(slug, name):
        """Take the file off the page, as the page's Delete button does: an
        admin can restore it (/admin/files)."""
        page = api_page(slug)
        service.delete(_attachment(page, name), current_user)
