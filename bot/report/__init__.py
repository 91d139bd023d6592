"""The report: answers → a Jinja2 template → block markup → a Document → txt, Markdown, .docx.

`render` runs the flow's template, `document` parses its markup into blocks, `genre` holds
the genre's rules (Chinese ordinals, 一是……；二是……。, punctuation at the joins), and
`writers` turn one Document into each format. No clock is read here (the date is passed in)
and only `render.render_files` writes files.
"""
