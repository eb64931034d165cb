"""Page templates (docs/templates.md): pages under the Templates page, offered
by "New page", copied with their variables filled, their labels and their
child pages; hidden from the tree and search for readers who cannot edit."""

import re
from datetime import date
from html import unescape

import pytest

from wiki import services
from wiki.demo import ATELIER_TEMPLATE, WORKSHOP_TEMPLATE, load_demo
from wiki.extensions import db
from wiki.models import Page, User
from wiki.plugins import hook

WORKSHOP = """\
<!-- description: A workshop with its sessions. -->
# {{title}}

Held in {{year}}, started on {{date}} by {{author}}, under “{{parent}}”.
See the [[{{title}} – Follow-up|follow-up page]]. Venue: {{venue}}.

{{children}}

{{recent count=3}}
"""


@pytest.fixture
def workshop(app, make_page, users):
    """The Templates page, a workshop template (labelled) with two sessions and a follow-up."""
    root = make_page("Templates", "The templates.\n")
    template = make_page("Workshop", WORKSHOP, parent=root)
    for position, (title, body) in enumerate((
            ("{{parent}} – Session 1", "# {{title}}\n\nPart of [[{{parent}}]].\n"),
            ("{{parent}} – Session 2", "Session two of {{parent}}.\n"),
            ("{{parent}} – Follow-up", "Questions about [[{{parent}}]].\n"))):
        make_page(title, body, parent=template).position = position  # its order, not A to Z
    db.session.commit()
    editor = db.session.get(User, users["editor"])
    hook().set_pages_labels(labels={template: ["workshop"]}, user=editor)
    return template


def page(title):
    return db.session.scalar(db.select(Page).where(Page.title == title))


def create(client, **fields):
    data = {"title": "Soil Day", "body": "", "visibility": "public", "template_children": "y", **fields}
    return client.post("/new", data=data)


# -- variables -----------------------------------------------------------------------------


def test_the_form_offers_the_templates_with_description_and_preview(as_editor, workshop):
    html = as_editor.get("/new").get_data(as_text=True)
    assert 'href="/new?template=workshop"' in html
    assert "A workshop with its sessions." in html
    assert "<details>" in html and "Preview of “Workshop”" in html
    assert "(and 3 pages under it)" in html


def test_choosing_a_template_without_javascript_reloads_the_form(as_editor, workshop, make_page):
    make_page("Events")
    html = as_editor.get("/new?template=workshop&parent=events&title=Soil+Day").get_data(as_text=True)
    assert f'name="template" type="hidden" value="{workshop.id}"' in html
    assert "From the template “Workshop”" in html
    assert "description:" not in html  # the description line is not copied
    assert "{{title}}" in html  # filled when the page is saved
    assert 'value="events"' in html and 'value="Soil Day"' in html
    assert "Soil Day – Session 1" in html and 'name="template_children"' in html and "checked" in html
    assert "{{venue}} is not a variable of templates: it stays as written." in html
    assert "Labels of the template, added to the page: workshop." in html


def test_the_preview_fills_the_variables_and_notes_unknown_ones(as_editor, workshop, make_page, users):
    make_page("Events")
    body = workshop.current_revision.body
    html = create(as_editor, body=body, parent="events", template=str(workshop.id), preview="1") \
        .get_data(as_text=True)
    today = date.today()
    assert '<h1 id="soil-day">Soil Day' in html
    assert f"Held in {today.year}, started on {today.isoformat()}" in html
    assert "by Editor Person, under “Events”" in html
    assert "{{venue}} is not a variable of templates: it stays as written." in html
    assert page("Soil Day") is None  # a preview writes nothing


def test_the_live_preview_fills_the_variables_of_a_new_page_from_a_template(as_editor, workshop, make_page):
    make_page("Events")
    fields = {"body": workshop.current_revision.body, "slug": "", "title": "Soil Day", "parent": "events"}
    live = as_editor.post("/preview", data={**fields, "template": str(workshop.id)}).get_json()["html"]
    assert '<h1 id="soil-day">Soil Day' in live and "under “Events”" in live
    assert "{{venue}} is not a variable of templates: it stays as written." in live
    plain = as_editor.post("/preview", data=fields).get_json()["html"]  # no template: text as written
    assert "{{parent}}" in plain and "not a variable" not in plain
    gone = as_editor.post("/preview", data={**fields, "template": "999999"}).get_json()["html"]
    assert "{{parent}}" in gone  # an unknown template fills nothing, and is no error


def test_creating_fills_variables_and_keeps_macros_and_unknown_ones(as_editor, workshop, make_page):
    make_page("Events")
    response = create(as_editor, body=workshop.current_revision.body, parent="events",
                      template=str(workshop.id))
    assert response.status_code == 302
    body = page("Soil Day").current_revision.body
    today = date.today().isoformat()
    assert body.startswith("# Soil Day\n")
    assert f"Held in {today[:4]}, started on {today} by Editor Person, under “Events”." in body
    assert "[[Soil Day – Follow-up|follow-up page]]" in body
    assert "Venue: {{venue}}." in body  # unknown: as written
    assert "\n{{children}}\n" in body and "\n{{recent count=3}}\n" in body  # macros untouched
    assert "description" not in body


def test_the_parent_variable_is_empty_at_the_top_level(as_editor, workshop):
    create(as_editor, body="Under “{{parent}}”, {{ titre }}.", template=str(workshop.id))
    assert page("Soil Day").current_revision.body == "Under “”, Soil Day.\n"


# -- child pages -----------------------------------------------------------------------------


def test_child_pages_are_created_in_order_with_variables_labels_and_links(as_editor, workshop):
    create(as_editor, body=workshop.current_revision.body, template=str(workshop.id))
    new = page("Soil Day")
    assert [c.title for c in new.children] == [
        "Soil Day – Session 1", "Soil Day – Session 2", "Soil Day – Follow-up"]  # the template's order
    session = page("Soil Day – Session 1")
    assert session.current_revision.body == "# Soil Day – Session 1\n\nPart of [[Soil Day]].\n"
    assert hook().page_labels(page=new) == ["workshop"]
    html = as_editor.get("/wiki/soil-day").get_data(as_text=True)
    assert 'href="/wiki/soil-day-follow-up"' in html and "missing" not in html
    assert 'href="/wiki/soil-day"' in as_editor.get("/wiki/soil-day-session-1").get_data(as_text=True)
    listing = as_editor.get("/wiki/soil-day").get_data(as_text=True)
    assert listing.index("Soil Day – Session 2") < listing.index("Soil Day – Follow-up")


def test_labels_typed_in_the_editor_are_kept_beside_the_templates(as_editor, workshop):
    create(as_editor, body="Text.", template=str(workshop.id), labels="soil day")
    assert hook().page_labels(page=page("Soil Day")) == ["soil-day", "workshop"]


def test_the_child_pages_may_be_left_out(as_editor, workshop):
    create(as_editor, body="Text.", template=str(workshop.id), template_children="")
    assert page("Soil Day").children == [] and page("Soil Day – Session 1") is None


def test_one_refused_title_creates_nothing(as_editor, workshop, make_page):
    make_page("Soil Day – Session 2")
    count = db.session.scalar(db.select(db.func.count(Page.id)))
    response = create(as_editor, body="Text.", template=str(workshop.id))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "The template's page “Soil Day – Session 2” cannot be created" in html
    assert "Nothing was created." in html
    assert db.session.scalar(db.select(db.func.count(Page.id))) == count
    assert f'name="template" type="hidden" value="{workshop.id}"' in html  # the form is kept


# -- a template deleted or renamed meanwhile --------------------------------------------------------


def test_a_template_deleted_meanwhile_gives_a_clear_message(as_editor, workshop, users):
    services.delete_page(workshop, db.session.get(User, users["editor"]))
    response = create(as_editor, body="My text.", template=str(workshop.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The template “Workshop” was deleted meanwhile" in html and "My text." in html
    assert page("Soil Day") is None
    assert create(as_editor, body="My text.").status_code == 302  # saved again: a plain page


def test_a_template_renamed_meanwhile_still_works(as_editor, workshop, users):
    editor = db.session.get(User, users["editor"])
    services.change_settings(workshop, editor, title="Workshop (3 sessions)", slug="workshop-3")
    assert create(as_editor, body="Text.", template=str(workshop.id)).status_code == 302
    assert len(page("Soil Day").children) == 3
    html = as_editor.get("/new?template=workshop").get_data(as_text=True)  # its old address
    assert "From the template “Workshop (3 sessions)”" in html


def test_an_unknown_template_address_is_a_clear_404(as_editor, workshop):
    response = as_editor.get("/new?template=nothing-here")
    assert response.status_code == 404
    assert "There is no template “nothing-here”." in response.get_data(as_text=True)


# -- visibility of the Templates branch -----------------------------------------------------


@pytest.fixture
def wiki(workshop, make_page):
    make_page("Garden")
    return workshop


def test_readers_who_cannot_edit_do_not_see_templates_listed(client, auth, wiki):
    for who in (None, "member"):
        if who:
            auth.login(who)
        for address in ("/", "/pages", "/pages?q=work", "/wiki/garden"):
            html = client.get(address).get_data(as_text=True)
            assert "Garden" in html or address == "/pages?q=work"
            assert 'href="/wiki/templates"' not in html, (who, address)
            assert 'href="/wiki/workshop"' not in html, (who, address)
        assert client.get("/wiki/workshop").status_code == 200  # its own address works
        assert "Workshop" in client.get("/pages?parent=templates").get_data(as_text=True)  # asked for


def test_editors_see_the_templates_in_the_tree(as_editor, wiki):
    for address in ("/", "/pages", "/wiki/garden"):
        assert 'href="/wiki/templates"' in as_editor.get(address).get_data(as_text=True), address


def test_search_hides_templates_unless_asked_for(client, auth, wiki, make_page):
    make_page("Workshop notes", "A workshop in the garden.\n")

    def found(query):
        html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        hits = set(re.findall(r'class="hit-title" href="/wiki/([a-z0-9-]+)', html))
        return hits & {"workshop", "workshop-notes", "templates"}

    assert found("workshop") == {"workshop-notes"}
    assert found("workshop in:templates") == {"workshop"}
    assert found("workshop dans:workshop") == {"workshop"}
    auth.login("editor")
    assert found("workshop") == {"workshop", "workshop-notes"}


# -- the command line and the demo -------------------------------------------------------------


def test_the_cli_creates_from_a_template(runner, workshop):
    result = runner.invoke(args=["pages", "put", "soil-day", "--title", "Soil Day", "--template", "workshop"],
                           input="never read")
    assert result.exit_code == 0, result.output
    assert "Created soil-day-session-1 under soil-day." in result.output
    new = page("Soil Day")
    body = new.current_revision.body
    assert body.startswith("# Soil Day\n") and "never read" not in body
    assert len(new.children) == 3 and hook().page_labels(page=new) == ["workshop"]
    result = runner.invoke(args=["pages", "put", "moor-day", "--title", "Moor Day", "--template", "workshop",
                                 "--no-children"])
    assert result.exit_code == 0 and page("Moor Day").children == []


def test_the_cli_refuses_an_unknown_template(runner, workshop):
    result = runner.invoke(args=["pages", "put", "x", "--title", "X", "--template", "nope"])
    assert result.exit_code == 1 and "There is no template “nope”." in result.output
    assert page("X") is None


def test_the_demo_ships_workshop_templates_in_english_and_french(as_editor, users):
    load_demo(db.session.get(User, users["editor"]))
    english, french = page(WORKSHOP_TEMPLATE), page(ATELIER_TEMPLATE)
    assert english.parent.slug == "templates" and french.language == "fr"
    for template in (english, french):
        body = template.current_revision.body
        assert "| Date |" in body and "{{children}}" in body and '??? "' in body
        assert len(template.children) == 4
    html = as_editor.get("/new").get_data(as_text=True)
    assert WORKSHOP_TEMPLATE in html and "Page d&#39;atelier" in html
    create(as_editor, title="Atelier sols", body=french.current_revision.body, template=str(french.id),
           language="fr")
    made = page("Atelier sols")
    assert [c.title for c in made.children] == [  # the template's order
        "Atelier sols – Séance 1", "Atelier sols – Séance 2", "Atelier sols – Séance 3",
        "Atelier sols – Suivi"]
    assert made.lang == "fr" and all(c.lang == "fr" for c in made.children)
    html = as_editor.get("/wiki/atelier-sols").get_data(as_text=True)
    assert "missing" not in html.split('class="page-content"')[1].split("</article>")[0]
