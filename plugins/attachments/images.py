"""Images: their size (read from the header, nothing decoded), and a smaller
rendition of a large one for the page (Pillow). The original stays as it
was uploaded, downloadable."""

import contextlib
import hashlib
import os
import tempfile
import warnings

from PIL import Image, UnidentifiedImageError

RENDITION_WIDTH = 1600  # wider images are shown as a copy this wide
MAX_PIXELS = 40_000_000  # larger ones are not decoded (a "pixel bomb" would fill the memory)
_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}


def measure(path):
    """(width, height) of the image at ``path``, or None if it is not one Pillow reads."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def rendition(path, shape, store):
    """The rendition's fields for an ``AttachmentVersion``, stored in ``store``;
    None when the image is small enough, too large to decode, or unreadable."""
    width, height = shape
    if width <= RENDITION_WIDTH or width * height > MAX_PIXELS:
        return None
    fd, out = tempfile.mkstemp(prefix="wiki-rendition-")
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind = _FORMATS.get(image.format, "PNG")
                image.thumbnail((RENDITION_WIDTH, round(height * RENDITION_WIDTH / width)))
                if kind == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                image.save(out, kind)
                size = image.size
        with open(out, "rb") as f:
            sha256 = hashlib.file_digest(f, "sha256").hexdigest()
        store.put(out, sha256)
        return {"rendition_sha256": sha256, "rendition_width": size[0], "rendition_height": size[1]}
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # shown as uploaded, scaled by the browser
    finally:
        with contextlib.suppress(FileNotFoundError):  # the store may have taken it
            os.remove(out)
