"""What an import of a Confluence space did: counts of pages, comments and
files, the accounts it made, every problem, and the approximations of the
conversion (which macros became placeholders, how many times, on which pages)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def line(self, with_updated=True):
        parts = [f"{self.created} created"]
        if with_updated:
            parts.append(f"{self.updated} updated")
        parts += [f"{self.unchanged} unchanged", f"{self.skipped} skipped"]
        return ", ".join(parts)


@dataclass
class Report:
    space: str  # "COP (Climate-Soil CoP)"
    dry_run: bool = False
    pages: Counts = field(default_factory=Counts)
    comments: Counts = field(default_factory=Counts)
    files: Counts = field(default_factory=Counts)  # file versions
    accounts_created: int = 0
    accounts_matched: int = 0  # authors found among the wiki's accounts (by username or email)
    problems: list = field(default_factory=list)  # model.Problem: the export's, then the import's
    # Macro -> page title -> how many placeholders; page title -> note -> how many times.
    placeholders: dict = field(default_factory=lambda: defaultdict(Counter))
    notes: dict = field(default_factory=lambda: defaultdict(Counter))
    labels_ignored: bool = False  # the space has labels, but no plugin keeps labels
    comments_ignored: int = 0  # comments not imported: no plugin keeps comments
    files_ignored: int = 0  # files not imported: no plugin keeps files
    # A dry run does not ask the plugins: what the pages already imported
    # have of these is compared when the import runs.
    comments_to_compare: int = 0
    files_to_compare: int = 0

    def approximate(self, page_title, converted):
        """Note what converting a text of ``page_title`` could only approximate."""
        for macro, count in converted.placeholders.items():
            self.placeholders[macro][page_title] += count
        for note in converted.notes:
            self.notes[page_title][note] += 1

    def summary(self):
        verb = "Would import" if self.dry_run else "Imported"
        lines = [f"{verb} {self.space}:",
                 f"  pages: {self.pages.line()}",
                 f"  comments: {self.comments.line()}",
                 f"  files: {self.files.line(with_updated=False)} (versions)"]
        if self.comments_to_compare or self.files_to_compare:
            lines.append(f"  on pages imported before: {self.comments_to_compare} comments and "
                         f"{self.files_to_compare} file versions, compared when importing")
        if self.accounts_created or self.accounts_matched:
            lines.append(f"  authors: {_count(self.accounts_created, 'new account')} (without a password), "
                         f"{self.accounts_matched} found among the wiki's accounts")
        return "\n".join(lines)

    def approximations(self):
        """Lines: each macro that became a placeholder, how often, where; then
        the converters' notes, page by page."""
        lines = []
        for macro, pages in sorted(self.placeholders.items(), key=lambda m: (-m[1].total(), m[0])):
            where = ", ".join(f"{title} ({n})" if n > 1 else title
                              for title, n in sorted(pages.items(), key=lambda p: (-p[1], p[0])))
            lines.append(f"macro “{macro}”: {_count(pages.total(), 'time')} on {_count(len(pages), 'page')}: "
                         f"{where}")
        for title, notes in sorted(self.notes.items()):
            for note, n in sorted(notes.items()):
                lines.append(f"{title}: {note}" + (f" ({n} times)" if n > 1 else ""))
        return lines


def _count(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"
