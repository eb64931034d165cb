"""Uploading, listing, serving, deleting and restoring attachments.

Files are served with the type sniffed from their bytes; only safe images
and PDF inline, everything else as a download, each response with
``nosniff`` and a sandboxing Content-Security-Policy of its own. ETag and
range requests come from Werkzeug's ``send_file``.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from wiki.api import db, load_page, render_error

from . import extraction, service
from .models import Attachment
from .sniff import IMAGES, INLINE, PLAIN_TEXT
from .store import store

bp = Blueprint("attachments", __name__, template_folder="templates", static_folder="static",
               static_url_path="/plugins/attachments/static")
SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'"


def may_upload(user):
    if user.can_edit:
        return True
    return user.is_member and current_app.config["ATTACHMENTS_MEMBERS_UPLOAD"]


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


# The page's upload form and the API's upload (plugins/attachments/rest.py).
UPLOAD_ENDPOINTS = ("attachments.upload", "rest.upload_attachment")


@bp.app_url_value_preprocessor  # before any before_request function reads the form (CSRF does)
def _upload_limit(endpoint, _values):
    # Uploads may be larger than any other request (MAX_CONTENT_LENGTH).
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_ATTACHMENT_BYTES"] + 1024 * 1024


def too_large():
    """What an upload larger than the limit is told (it is refused before it is read)."""
    return _("That is more than the %(size)s a file may be: nothing was attached.",
             size=service.size_limit())


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    message = too_large()
    if _wants_json():
        return jsonify({"error": message, "attached": []}), 413
    return render_error(413, message)


@bp.before_app_request
def _waiting_extractions():
    extraction.runner().check_now_and_then()


@bp.route("/wiki/<slug>/files", methods=["POST"])
def upload(slug):
    page = load_page(slug, "attachments.upload")
    if not may_upload(current_user):
        abort(403)
    files = [f for f in request.files.getlist("file") if f and f.filename]
    if not files:
        return _refused(page, _("Choose a file to attach."), 400)
    name = (request.form.get("name") or "").strip()
    added = []
    for upload in files:
        try:
            added.append(service.add(page, name if name and len(files) == 1 else upload.filename,
                                     upload.stream, current_user))
        except service.AttachmentError as e:
            db.session.rollback()
            if added:
                extraction.runner().kick()
            return _refused(page, e.message, e.status, added)
    extraction.runner().kick()  # the text is read after the response, never during it
    if _wants_json():
        return jsonify([_described(a.attachment) for a in added])
    flash(_attached(added), "success")
    return redirect(url_for("pages.view", slug=page.slug) + "#attachments", 303)


def _attached(added):
    """``Attached a.pdf, b.png.``: names listed with commas, in every language."""
    return _("Attached %(names)s.", names=", ".join(a.attachment.name for a in added))


def _refused(page, message, status, added=()):
    if _wants_json():
        return jsonify({"error": message, "attached": [_described(a.attachment) for a in added]}), status
    flash(message, "error")
    if added:
        flash(_attached(added), "success")
    return redirect(url_for("pages.view", slug=page.slug) + "#attachments", 303)


def _described(attachment):
    version = attachment.current
    image = version.mime in IMAGES
    return {"name": attachment.name, "url": url_for("attachments.download", slug=attachment.page.slug,
                                                    name=attachment.name),
            "size": version.size, "type": version.mime, "version": version.number,
            "markdown": f"{'!' if image else ''}[{attachment.name}](<{attachment.name}>)"}


@bp.route("/wiki/<slug>/files/<path:name>")
def download(slug, name):
    page = load_page(slug, "attachments.download")
    attachment = service.find(page, name)
    if attachment is None:
        return render_error(404, _("“%(title)s” has no file “%(name)s”.", title=page.title, name=name))
    number = request.args.get("version", type=int)
    version = service.version(attachment, number) if number else attachment.current
    if version is None:
        return render_error(404, _("“%(name)s” has no version %(number)s.", name=name, number=number))
    sha256, mime = version.sha256, version.mime
    if request.args.get("rendition") and version.rendition_sha256:
        sha256 = version.rendition_sha256
    try:
        blob = store().open(sha256)
    except KeyError:
        current_app.logger.error("attachment %s of %s: blob %s is missing", name, slug, sha256)
        return render_error(404, _("The file “%(name)s” is missing from the store.", name=name))
    size = blob.seek(0, 2)
    blob.seek(0)
    response = send_file(blob, mimetype=mime if mime in INLINE or mime in PLAIN_TEXT else
                         "application/octet-stream", as_attachment=mime not in INLINE,
                         download_name=attachment.name, conditional=False, etag=False, max_age=0)
    # Ranges and revalidation for both stores (send_file only knows a file's
    # size from a path): the SHA-256 of the bytes is their ETag.
    response.content_length = size
    response.set_etag(sha256)
    response.last_modified = version.created_at
    response = response.make_conditional(request, accept_ranges=True, complete_length=size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    # A members-only file must not be kept by a cache on the way.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/wiki/<slug>/files/<path:name>/delete", methods=["POST"])
def delete(slug, name):
    page = load_page(slug, "attachments.delete")
    if not current_user.can_edit:
        abort(403)
    attachment = service.find(page, name)
    if attachment is None:
        abort(404)
    service.delete(attachment, current_user)
    flash(_("“%(name)s” was deleted. An admin can restore it.", name=attachment.name), "success")
    return redirect(url_for("pages.view", slug=page.slug) + "#attachments", 303)


@bp.route("/admin/files")
def trash():
    if not current_user.has_role("admin"):
        abort(403 if current_user.is_authenticated else 404)
    return render_template("attachments/trash.html", deleted=service.trash(), form=FlaskForm())


@bp.route("/admin/files/<int:attachment_id>/restore", methods=["POST"])
def restore(attachment_id):
    if not current_user.has_role("admin"):
        abort(403 if current_user.is_authenticated else 404)
    attachment = db.get_or_404(Attachment, attachment_id)
    try:
        service.restore(attachment, current_user)
    except service.AttachmentError as e:
        flash(e.message, "error")
        return redirect(url_for("attachments.trash"), 303)
    flash(_("“%(name)s” is back on “%(title)s”.", name=attachment.name, title=attachment.page.title),
          "success")
    return redirect(url_for("pages.view", slug=attachment.page.slug) + "#attachments", 303)
