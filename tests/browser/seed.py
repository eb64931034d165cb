"""The content the browser tests start from, loaded into a fresh instance
folder (``WIKI_INSTANCE_PATH``) before the live server starts.

Run as a script by ``conftest.py``. It goes through the commands of the
README (``init``, ``users create``, ``demo``, ``pages put``) and posts a
comment thread through the comments service. Each journey has pages of its
own, so the tests can run in any order against one server.
"""

import sys

PASSWORD = "correct horse battery"

USERS = [
    # username, role, display name
    ("ada", "admin", "Ada Admin"),
    ("edith", "editor", "Edith Editor"),
    ("eric", "editor", "Eric Editor"),
    ("mona", "member", "Mona Member"),
]

WORKSHOP = "soil-carbon-monitoring-workshop-2026"  # from the demo content

# slug, title, parent slug, visibility, labels, Markdown
PAGES = [
    ("field-day-2025", "Field Day 2025", None, "public", ["field-day"], """\
A day on a demonstration farm: soil pits, infiltration tests and a walk
through the compost trials.

## Programme

1. Soil pits and texture by feel
2. Infiltration test with a single ring
3. Compost trials and questions

??? "Directions to the farm"
    Take the regional train to Gümligen, then follow the signs to the
    demonstration farm. Parking is behind the barn.
"""),
    ("mapping-clinic", "Mapping Clinic", None, "public", [], """\
An open hour to bring your maps and questions about stratification.

??? "What to bring"
    A laptop with QGIS, and the boundary of your project area as a
    shapefile or GeoPackage.
"""),
    ("sampling-methods-primer", "Sampling Methods Primer", None, "public", ["soil-carbon"], """\
How projects take soil samples for carbon stock estimates.

## Depth and cores

Take cores to 30 cm at least, in fixed increments.

??? "Estimating bulk density"
    When no undisturbed cores exist, a pedotransfer function estimates
    bulk density from texture and organic matter. Report which one you used.
"""),
    ("shared-agenda", "Shared Agenda", None, "public", [], """\
Welcome by the organisers
Keynote on soil health
Coffee break
Panel on carbon markets
Closing words
"""),
    ("merge-agenda", "Merge Agenda", None, "public", [], """\
Morning: field visit
Noon: lunch at the farm
Afternoon: group work
Evening: dinner in town
"""),
    ("community-links", "Community Links", None, "public", [], """\
Useful addresses for the community.

* The [[Members Directory]] (for members)
* The [[Field Day 2025]]
"""),
    ("members-directory", "Members Directory", "community-links", "members", ["members-corner"], """\
Contacts of the members of the community. Ask Zanzibar Okonkwo for the
shared drive.
"""),
]

COMMENTS = [
    # (author username or None, guest name, text, replies [(author, guest name, text)])
    (None, "", "Will the slides be shared after the sessions?", [
        ("edith", "", "Yes: each session page gets its slides the day after."),
    ]),
    (None, "Amadou", "Est-ce que la session 2 sera enregistrée ? Je ne peux pas y assister.", [
        ("mona", "", "Me too: a recording would help those of us in other time zones."),
    ]),
    ("mona", "", "Thanks for the summary of the **sampling depth** discussion. "
                 "Could the follow-up page list the national inventories that use 30 cm?", []),
]


def run(runner, args, text=None):
    result = runner.invoke(args=args, input=text)
    if result.exit_code != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.output}\n{result.exception!r}")


def main():
    from wiki import create_app

    app = create_app()
    runner = app.test_cli_runner()
    run(runner, ["init"])
    for username, role, display in USERS:
        run(runner, ["users", "create", username, "--role", role, "--password", PASSWORD,
                     "--display-name", display])
    run(runner, ["demo"])
    for slug, title, parent, visibility, labels, body in PAGES:
        args = ["pages", "put", slug, "--title", title, "--visibility", visibility]
        args += ["--parent", parent] if parent else []
        args += [arg for label in labels for arg in ("--label", label)]
        run(runner, args, body)
    run(runner, ["pages", "put", WORKSHOP, "--label", "workshop", "--label", "soil-carbon"],
        _current_text(runner, WORKSHOP))
    with app.app_context():
        _post_comments(app)


def _current_text(runner, slug):
    return runner.invoke(args=["pages", "get", slug]).output


def _post_comments(app):
    from plugins.comments.service import post_comment
    from wiki.extensions import db
    from wiki.models import User
    from wiki.services import find_page

    page = find_page(WORKSHOP)[0]

    def user(username):
        if username is None:
            return app.login_manager.anonymous_user()
        return db.session.scalar(db.select(User).where(User.username == username))

    for author, name, text, replies in COMMENTS:
        parent = post_comment(page, user(author), text, anon_name=name).comment
        for r_author, r_name, r_text in replies:
            post_comment(page, user(r_author), r_text, parent=parent, anon_name=r_name)


if __name__ == "__main__":
    sys.exit(main())
