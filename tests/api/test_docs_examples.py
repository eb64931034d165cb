"""The curl examples of docs/api.md, run against a live wiki as a reader
would run them: every ```sh block in order, in one bash session (a variable
set by one block is there for the next), with WIKI and TOKEN set.

A block followed at once by a ```json or ```text block must print what that
block shows, loosely: in JSON, the members shown (``"..."`` stands for any
value, and ends a list that may go on); in text, each line shown is one of
the lines printed (``...`` stands for any text; case aside, for status lines
such as ``HTTP/1.1 428 Precondition Required``), and a JSON body after a blank
line is compared as JSON."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wiki.accounts import create_user
from wiki.extensions import db
from wiki.rest.tokens import create_token

from .docserver import serving

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
FENCE = re.compile(r"^```(\w*)\s*$")
WILDCARD = "..."


def blocks(text):
    """The fenced blocks of ``text``: ``[(language, body, first line), ...]``,
    with ``follows``: whether only blank lines separate it from the block before."""
    found, lines, i, last_end = [], text.splitlines(), 0, None
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        follows = last_end is not None and all(not line.strip() for line in lines[last_end + 1:start])
        found.append({"lang": match.group(1), "body": "\n".join(body), "line": start + 1,
                      "follows": follows})
        last_end = i
        i += 1
    return found


def examples(text):
    """Each ```sh block with the output block that follows it (or None)."""
    found = blocks(text)
    pairs = []
    for n, block in enumerate(found):
        if block["lang"] != "sh":
            continue
        after = found[n + 1] if n + 1 < len(found) else None
        shown = after if after and after["follows"] and after["lang"] in ("json", "text") else None
        pairs.append((block, shown))
    return pairs


# -- loose comparison -------------------------------------------------------------


def _pattern(shown):
    parts = [re.escape(part) for part in shown.split(WILDCARD)]
    return re.compile(".*".join(parts), re.DOTALL | re.IGNORECASE)


def json_differences(shown, actual, where="$"):
    """How ``actual`` differs from what ``shown`` shows (an empty list: it matches)."""
    if shown == WILDCARD:
        return []
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        missing = [f"{where}.{key}: missing" for key in shown if key not in actual]
        return missing + [d for key in shown if key in actual
                          for d in json_differences(shown[key], actual[key], f"{where}.{key}")]
    if isinstance(shown, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        more = bool(shown) and shown[-1] == WILDCARD
        items = shown[:-1] if more else shown
        if len(actual) < len(items) or (not more and len(actual) != len(items)):
            return [f"{where}: {len(actual)} items, the doc shows {len(items)}{' or more' if more else ''}"]
        return [d for n, item in enumerate(items) for d in json_differences(item, actual[n], f"{where}[{n}]")]
    if isinstance(shown, str) and isinstance(actual, str) and WILDCARD in shown:
        return [] if _pattern(shown).fullmatch(actual) else [f"{where}: {actual!r} is not {shown!r}"]
    return [] if shown == actual and type(shown) is type(actual) else [f"{where}: {actual!r}, not {shown!r}"]


def split_http(output):
    """``(head lines, body)`` of what ``curl -i`` printed (the last answer's
    head when there were several); ``([], output)`` for a body alone."""
    text = output.replace("\r\n", "\n")
    head = []
    while text.startswith("HTTP/"):
        part, _sep, text = text.partition("\n\n")
        head = part.splitlines()
    return head, text


def _line_matches(shown, printed):
    """A line of text (``...`` for any text), or a line of JSON compared as JSON."""
    if shown[:1] in ("{", "[") and printed[:1] in ("{", "["):
        try:
            return not json_differences(json.loads(shown), json.loads(printed))
        except ValueError:
            pass
    return bool(_pattern(shown).fullmatch(printed))


def text_differences(shown, output):
    expected_head, _sep, expected_body = shown.partition("\n\n")
    head, body = split_http(output)
    printed = [line.strip() for line in (head + body.splitlines())]
    wrong = [f"no line printed is {line.strip()!r}" for line in expected_head.splitlines()
             if line.strip() and line.strip() != WILDCARD and not any(_line_matches(line.strip(), p)
                                                                    for p in printed)]
    if expected_body.strip():
        wrong += body_differences(json.loads(expected_body), body) if expected_body.lstrip()[0] in "{[" \
            else text_differences(expected_body, body)
    return wrong


def body_differences(shown, body):
    """``body`` against the JSON ``shown``; what a command printed before the
    JSON (a line of its own) is skipped."""
    lines = body.splitlines()
    start = next((n for n, line in enumerate(lines) if line.lstrip()[:1] in ("{", "[")), 0)
    try:
        actual = json.loads("\n".join(lines[start:]))
    except ValueError:
        return [f"the output is not JSON: {body[:500]!r}"]
    return json_differences(shown, actual)


def differences(shown, output):
    if shown["lang"] == "json":
        return body_differences(json.loads(shown["body"]), split_http(output)[1])
    return text_differences(shown["body"], output)


# -- the session ---------------------------------------------------------------------


def session_script(pairs, outputs):
    """One bash script running every block in order, each one's output (and
    errors) in its own file; ``current`` says which block ran last."""
    lines = ["set -euo pipefail"]
    for n, (block, _shown) in enumerate(pairs):
        lines += [f"echo {n} > {outputs / 'current'}", "{", block["body"], f"}} > {outputs / str(n)} 2>&1"]
    lines.append(f"echo done > {outputs / 'current'}")
    return "\n".join(lines) + "\n"


def test_the_parser_pairs_examples_with_their_output():
    doc = "```sh\necho a\n```\n\n```json\n{}\n```\ntext\n```sh\necho b\n```\nprose\n```text\nb\n```\n"
    (first, first_out), (second, second_out) = examples(doc)
    assert (first["body"], first_out["body"], second["body"], second_out) == ("echo a", "{}", "echo b", None)


def test_the_loose_comparison_finds_what_differs():
    shown = {"a": 1, "b": "...", "c": [{"d": "x..."}, "..."], "e": ["f"]}
    actual = {"a": 1, "b": [2], "c": [{"d": "xyz", "z": 0}, 3], "e": ["f"], "g": 0}
    assert json_differences(shown, actual) == []
    assert json_differences(shown, {"a": "1", "b": 2, "c": [{"d": "y"}], "e": ["f", "g"]}) == [
        "$.a: '1', not 1", "$.c[0].d: 'y' is not 'x...'", "$.e: 2 items, the doc shows 1"]
    output = 'HTTP/1.1 428 PRECONDITION REQUIRED\r\nContent-Type: x\r\n\r\n{"status": 428}'
    assert text_differences("HTTP/1.1 428 Precondition Required\n\n{\"status\": 428}", output) == []
    assert text_differences("HTTP/1.1 409 Conflict\n\n{\"status\": 409}", output) == [
        "no line printed is 'HTTP/1.1 409 Conflict'", "$.status: 428, not 409"]
    assert text_differences('done\n{"a": [1, "..."]}', 'done\n{"b": 0, "a": [1, 2]}\n') == []
    assert text_differences('{"a": 2}', '{"a": 1}') == ["no line printed is '{\"a\": 2}'"]


def test_the_table_of_endpoints_lists_every_endpoint_of_the_openapi_document(spec):
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("## Every endpoint"):]
    rows = set(re.findall(r"^\| `(\w+)` \| `(/[^`]*)` \|", table, re.MULTILINE))
    served = {(method.upper(), path) for path, operations in spec["paths"].items() for method in operations}
    assert rows - {("GET", "/openapi.json")} == served


@pytest.mark.slow
def test_the_examples_of_the_api_doc_run_as_shown(app_factory, tmp_path):
    assert shutil.which("curl"), "the examples of docs/api.md need curl"
    pairs = examples(DOC.read_text(encoding="utf-8"))
    assert len(pairs) > 10, "docs/api.md has lost its examples"
    # CSRF on, as in production: the session's rules are the real ones.
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        ada = create_user("ada", "correct horse battery", "editor", display_name="Ada Lovelace")
        token = create_token(ada, "docs test", "write")[1]
        db.session.remove()
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    work = tmp_path / "work"  # where the examples write their files
    work.mkdir()
    venv_bin = str(Path(sys.executable).parent)  # the examples' `flask`
    with serving(app) as base_url:
        env = {**os.environ, "WIKI": base_url, "TOKEN": token,
               "PATH": venv_bin + os.pathsep + os.environ.get("PATH", "")}
        ran = subprocess.run(["bash", "-c", session_script(pairs, outputs)], cwd=work, env=env,  # noqa: S603, S607
                             capture_output=True, text=True, timeout=300, check=False)
    current = (outputs / "current").read_text().strip()
    if current != "done":
        block = pairs[int(current)][0]
        printed = (outputs / current).read_text()
        pytest.fail(f"The example at docs/api.md:{block['line']} failed ({ran.returncode}):\n"
                    f"{block['body']}\n--- it printed:\n{printed}{ran.stderr}", pytrace=False)
    wrong = []
    for n, (block, shown) in enumerate(pairs):
        if shown is not None:
            found = differences(shown, (outputs / str(n)).read_text())
            if found:
                wrong.append(f"docs/api.md:{block['line']}: {'; '.join(found)}\n"
                             f"--- it printed:\n{(outputs / str(n)).read_text()}")
    assert not wrong, "\n\n".join(wrong)
