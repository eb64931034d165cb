"""The baseline of the benchmarks: a bare Flask app under the same server.

``/page`` renders a Jinja page of about the size of a wiki page; ``/search``
returns a small page at once. Run: gunicorn 'bench.bare_app:app'.
"""

from flask import Flask, render_template_string

app = Flask(__name__)
PARAGRAPH = ("Soil organic carbon is measured in tonnes per hectare; projects compare "
             "stocks over time with sampling, models and remote sensing. ") * 6
TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/wiki.css"></head><body><header><a href="/">Wiki</a></header>
<main><h1>{{ title }}</h1>{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</main></body></html>"""


@app.route("/page")
def page():
    return render_template_string(TEMPLATE, title="A page", paragraphs=[PARAGRAPH] * 8)


@app.route("/search")
def search():
    return render_template_string(TEMPLATE, title="Search", paragraphs=[PARAGRAPH])
