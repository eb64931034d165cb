"""Page templates through the API: a page made from one as the new-page form
makes it, and the Templates branch left out of lists as in the page index."""

from wiki.extensions import db
from wiki.models import User
from wiki.plugins import hook


def _workshop(make_page, users):
    root = make_page("Templates", "The templates.\n")
    template = make_page("Workshop", "<!-- description: A workshop -->\n# {{title}}\n\nBy {{author}}.\n"
                                     "\n[[{{title}} – Session 1]]\n", parent=root)
    make_page("{{parent}} – Session 1", "Part of [[{{parent}}]].\n", parent=template)
    hook().set_pages_labels(labels={template: ["workshop"]}, user=db.session.get(User, users["editor"]))
    return template


def test_a_page_made_from_a_template_gets_its_text_labels_and_child_pages(api, make_page, users):
    _workshop(make_page, users)
    made = api.post("/pages", json={"title": "Soil Day", "template": "workshop"})
    assert made.status_code == 201, made.get_json()
    page = made.get_json()
    assert page["markdown"] == "# Soil Day\n\nBy Editor Person.\n\n[[Soil Day – Session 1]]\n"
    assert page["labels"] == ["workshop"]
    assert page["children"] == [{"slug": "soil-day-session-1", "title": "Soil Day – Session 1"}]
    assert 'href="/wiki/soil-day-session-1"' in page["html"]  # the link between them resolves
    child = api.get("/pages/soil-day-session-1").get_json()
    assert child["markdown"] == "Part of [[Soil Day]].\n" and child["labels"] == []


def test_a_template_with_text_of_ones_own_and_without_its_pages(api, make_page, users):
    _workshop(make_page, users)
    made = api.post("/pages", json={"title": "Soil Day", "template": "workshop", "markdown": "{{date}} {{x}}",
                                    "template_children": False}).get_json()
    assert made["markdown"].endswith(" {{x}}\n") and made["markdown"][:4].isdigit()
    assert made["children"] == [] and made["labels"] == ["workshop"]


def test_an_unknown_template_or_a_taken_child_title_writes_nothing(api, make_page, users):
    _workshop(make_page, users)
    unknown = api.post("/pages", json={"title": "Soil Day", "template": "nothing-here"})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "template"
    make_page("Soil Day – Session 1")
    taken = api.post("/pages", json={"title": "Soil Day", "template": "workshop"})
    assert taken.status_code == 409 and "Nothing was created" in taken.get_json()["detail"]
    assert api.get("/pages/soil-day").status_code == 404


def test_readers_who_cannot_edit_do_not_get_the_templates_in_lists_unless_they_ask(api_as, make_page, users):
    _workshop(make_page, users)
    make_page("Agenda")
    member = api_as("member")
    assert [p["slug"] for p in member.get("/pages").get_json()["items"]] == ["agenda"]
    assert [p["slug"] for p in member.get("/pages?top=true").get_json()["items"]] == ["agenda"]
    asked = member.get("/pages?parent=templates").get_json()
    assert [p["slug"] for p in asked["items"]] == ["workshop"]
    assert member.get("/pages/workshop").status_code == 200  # its own address still works
    editor_sees = {p["slug"] for p in api_as("editor").get("/pages").get_json()["items"]}
    assert {"templates", "workshop", "agenda"} <= editor_sees


def test_the_recent_macro_leaves_the_templates_out_for_readers(client, make_page, users, auth):
    _workshop(make_page, users)
    make_page("Home page", "{{recent count=10}}\n")
    html = client.get("/wiki/home-page").get_data(as_text=True)
    assert "Workshop" not in html and "Home page" in html
    auth.login("editor")
    assert "Workshop" in client.get("/wiki/home-page").get_data(as_text=True)
