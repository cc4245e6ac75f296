"""The HTTP application: app factory, error handling, router registry."""
