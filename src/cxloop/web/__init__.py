"""Server-rendered web pages: templates, static files, page-level auth and errors."""
