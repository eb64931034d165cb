"""The people of an imported space as the wiki's accounts.

Only authors get an account: whoever signed a version, a comment or a file.
An author is found again (an earlier import noted them in
``ConfluenceAccount``), else matched to an existing account by email, then by
username (case aside), else given a new account with their display name and
no password: it cannot sign in until an admin gives it one (``flask --app
wiki users set-password NAME``). People who are only mentioned keep their
display name in the text and get no account.
"""

import re
import unicodedata

from ...accounts import USERNAME_RE
from ...extensions import db
from ...models import ConfluenceAccount, User
from .model import Problem

_IN_CHUNK = 500
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_USERNAME = 64
MAX_DISPLAY_NAME = 100


def authors(space):
    """The keys of everyone who signed something in ``space``, in a stable order."""
    keys = {}
    for page in space.pages:
        for version in page.versions:
            keys.setdefault(version.author)
        for comment in page.comments:
            keys.setdefault(comment.author)
        for attachment in page.attachments:
            for version in attachment.versions:
                keys.setdefault(version.author)
    keys.pop(None, None)
    return list(keys)


class People:
    """Authors (by their key in the export) -> account ids, and the names
    mentions show. ``dry_run``: decide, count, write nothing."""

    def __init__(self, space, dry_run=False):
        self.space, self.dry_run = space, dry_run
        self.ids = {}  # person key -> user id (None in a dry run for accounts not made yet)
        self.created = self.matched = 0
        self.problems = []
        self._by_username = {p.username.lower(): p for p in space.people.values() if p.username}

    def resolve(self):
        """Find or make the account of every author of the space (one commit)."""
        keys = authors(self.space)
        missing = [k for k in keys if k not in self.space.people]
        for key in missing:
            self.problems.append(Problem(f"person “{key}”", "signs pages, comments or files but is not in "
                                         "the export: what they signed is imported without an author"))
        wanted = [self.space.people[k] for k in keys if k in self.space.people]
        self._found_again(wanted)
        rest = [p for p in wanted if p.key not in self.ids]
        self._match_existing(rest)
        self._create([p for p in rest if p.key not in self.ids])
        if not self.dry_run:
            db.session.commit()

    def user_id(self, key):
        return self.ids.get(key) if key is not None else None

    def user(self, key):
        """The account of ``key`` (None: anonymous, or unknown to the export)."""
        user_id = self.user_id(key)
        return db.session.get(User, user_id) if user_id is not None else None

    def display_name(self, key=None, username=None):
        """How a mention of the person shows in text: their display name."""
        person = self.space.people.get(key) if key else None
        if person is None and username:
            person = self._by_username.get(username.lower())
        if person is not None:
            return person.display_name or person.username or None
        if username:
            return db.session.scalar(db.select(User.display_name).where(
                db.func.lower(User.username) == username.lower()))
        return None

    # -- the three ways of finding an account ----------------------------------------

    def _found_again(self, people):
        keys = [p.key for p in people]
        for start in range(0, len(keys), _IN_CHUNK):
            rows = db.session.execute(db.select(ConfluenceAccount.person_key, ConfluenceAccount.user_id)
                                      .where(ConfluenceAccount.person_key.in_(keys[start:start + _IN_CHUNK])))
            self.ids.update((r.person_key, r.user_id) for r in rows)

    def _match_existing(self, people):
        emails = _lookup(User.email, [p.email.strip().lower() for p in people if p.email])
        names = _lookup(db.func.lower(User.username), [p.username.lower() for p in people if p.username])
        for person in people:
            user_id = (emails.get((person.email or "").strip().lower())
                       or names.get((person.username or "").lower()))
            if user_id is not None:
                self._remember(person, user_id)
                self.matched += 1

    def _create(self, people):
        emails_taken = set(_lookup(User.email, [p.email.strip().lower() for p in people if p.email]))
        names_taken = set()
        for person in people:
            username = self._free_username(_username_for(person), names_taken)
            names_taken.add(username.lower())
            email = (person.email or "").strip().lower() or None
            if email in emails_taken:  # two people of the export with one address: the first has it
                email = None
            emails_taken.add(email)
            self.created += 1
            if self.dry_run:
                self.ids[person.key] = None
                continue
            display = " ".join((person.display_name or person.username or username).split())
            user = User(username=username, display_name=display[:MAX_DISPLAY_NAME] or username,
                        email=email, password_hash=None, role="member")
            db.session.add(user)
            db.session.flush()  # its id, for the mapping and the records
            self._remember(person, user.id)

    def _remember(self, person, user_id):
        self.ids[person.key] = user_id
        if not self.dry_run:
            db.session.add(ConfluenceAccount(person_key=person.key, user_id=user_id))

    def _free_username(self, base, taken_here):
        candidate, n = base, 1
        while candidate.lower() in taken_here or _username_taken(candidate):
            n += 1
            suffix = f"-{n}"
            candidate = base[:MAX_USERNAME - len(suffix)] + suffix
        return candidate


def _lookup(column, values):
    """``{value: user id}`` for the accounts whose ``column`` is one of ``values``."""
    values = sorted(set(values))
    found = {}
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start:start + _IN_CHUNK]
        rows = db.session.execute(db.select(column, User.id).where(column.in_(chunk)))
        found.update((value, user_id) for value, user_id in rows)
    return found


def _username_taken(username):
    return db.session.scalar(db.select(User.id).where(
        db.func.lower(User.username) == username.lower())) is not None


def _username_for(person):
    """A username the wiki accepts, from the Confluence one (an email address:
    its first part), else the display name: letters without accents, digits,
    dots, dashes and underscores."""
    for source in (person.username, person.display_name, person.key):
        text = (source or "").strip()
        if "@" in text:
            text = text.split("@", 1)[0]
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        text = _NOT_IN_NAMES.sub("-", text).strip("-.")[:MAX_USERNAME].rstrip("-.")
        if USERNAME_RE.match(text):
            return text
    return "confluence-user"
