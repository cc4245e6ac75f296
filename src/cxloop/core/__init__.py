"""Shared kernel: configuration, database, errors, audit, events, clock and i18n."""
