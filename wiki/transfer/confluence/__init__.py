"""Import a Confluence space: its XML or HTML export, zipped or not, becomes
pages with their history, labels, comments, files and authors
(docs/import-confluence.md).

    model.py        what an export holds: Space, Page, Version, Comment, Attachment, Person, Problem
    source.py       which kind of export a path is (``detect``), and opening it safely
    xmlexport.py    the XML export (entities.xml, streamed) -> Space
    htmlexport.py   the HTML export (index.html, a file per page) -> Space
    body.py         converting a body to Markdown: what both formats share
    storage.py      Confluence's storage format (the XML export's bodies) -> Markdown
    rendered.py     the HTML export's pages -> Markdown
    markdown.py     writing the wiki's Markdown: escaping, each kind of block
    plan.py         pages -> titles, addresses and places in the wiki, before anything is written
    references.py   what converted text names: pages, people, files
    people.py       authors -> accounts (found again, matched, or made without a password)
    convert.py      one text through a converter: a text that fails is left out, with the reason
    writer.py       write the space in batches: pages and their history
    handover.py     labels, comments and files -> the plugins that keep them
    report.py       what an import did, and what it could only approximate
"""
