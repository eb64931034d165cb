"""Three-way merge of page text, for saves made on a stale revision."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from merge3 import Merge3


@dataclass
class MergeResult:
    text: str  # merged text; with conflict markers when ``conflicts``
    conflicts: int
    # Each conflict: (the base's lines, the saved version's, the editor's), as text.
    regions: list = field(default_factory=list)


def merge_text(base, theirs, mine):
    """Merge ``mine`` (the editor's text, started from ``base``) with ``theirs``
    (what was saved meanwhile). Changes to different lines merge cleanly; a
    line changed on both sides, differently, is a conflict."""
    m3 = Merge3(base.splitlines(True), theirs.splitlines(True), mine.splitlines(True))
    regions = [("".join(base_lines), "".join(saved), "".join(edited))
               for _kind, base_lines, saved, edited in
               (group for group in m3.merge_groups() if group[0] == "conflict")]
    lines = m3.merge_lines(
        name_a=_("saved version"), name_b=_("your version"), start_marker="<<<<<<<",
        mid_marker="=======", end_marker=">>>>>>>",
    )
    return MergeResult("".join(_ensure_newlines(lines)), len(regions), regions)


def _ensure_newlines(lines):
    # A last line without "\n" on one side would glue onto a conflict marker.
    for line in lines:
        yield line if line.endswith("\n") else line + "\n"
