"""The OpenAPI document: valid, complete (every address of the app under
/api/v1), and every operation named, summarised, tagged and with its
problems documented."""

from openapi_spec_validator import validate

from wiki.rest.spec import openapi_path


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]


def test_every_operation_is_named_summarised_tagged_and_lists_its_problems(spec):
    names = []
    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        names.append(operation["operationId"])
        assert operation["summary"].strip() and operation["tags"], where
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), where
        problem = "#/components/schemas/Problem"
        for code in ("400", "401", "429"):
            assert code in responses, where
        for code, response in responses.items():
            if code >= "400":
                assert response["description"], where
                assert response["content"]["application/problem+json"]["schema"]["$ref"] == problem, where
        if "{slug}" in path:
            assert "404" in responses, where
        if "requestBody" in operation:
            assert {"413", "415", "422"} <= set(responses), where
        if method in ("post", "put", "patch", "delete"):
            assert "403" in responses, where
    assert len(names) == len(set(names)), "an operationId used twice"


def test_updates_document_if_match_and_the_etag(spec):
    for method in ("put", "patch"):
        operation = spec["paths"]["/pages/{slug}"][method]
        [header] = [p for p in operation["parameters"] if p["in"] == "header"]
        assert header["name"] == "If-Match" and header["required"] is True
        assert {"409", "412", "428"} <= set(operation["responses"])
        assert operation["responses"]["200"]["headers"]["ETag"]["required"] is True
    assert "ETag" in spec["paths"]["/pages/{slug}"]["get"]["responses"]["200"]["headers"]
    assert "Link" in spec["paths"]["/pages"]["get"]["responses"]["200"]["headers"]
    assert "Location" in spec["paths"]["/pages"]["post"]["responses"]["201"]["headers"]


def test_every_address_of_the_api_is_in_the_document(app, spec):
    documented = {(path, method) for path, method, _op in operations(spec)}
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule == "/api/v1/openapi.json":
            continue
        path = openapi_path(rule.rule[len("/api/v1"):]) or "/"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    assert found, "no API address in the app"
    assert found - documented == set()
    assert documented - found == set()


def test_answers_are_private_to_their_caller(api_as, make_page):
    """What an answer holds depends on the caller and their language: no shared cache keeps it."""
    make_page("Agenda")
    for path in ("/pages", "/pages/agenda", "/pages/not-a-page"):
        response = api_as("member").get(path)
        assert response.headers["Cache-Control"] == "private"
        assert {"Authorization", "Cookie", "Accept-Language"} <= set(response.vary)
