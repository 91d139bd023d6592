"""Writers that turn a Document into a file format: docx, markdown, text."""
