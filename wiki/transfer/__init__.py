"""Import and export: a folder of Markdown files (and their files) <-> pages
(docs/import-export.md).

    source.py       read the folder: which files, and why others are skipped
    frontmatter.py  the YAML block at the top of a file
    plan.py         files -> pages: titles, slugs, the tree, links
    links.py        links between files -> wiki links
    files.py        links to other files (images, PDFs) -> files of pages (a plugin attaches them)
    importer.py     write the plan in batches
    exporter.py     pages -> files
"""
