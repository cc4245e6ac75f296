"""Ingest: declared sources, raw records with lineage, validation and rejected rows."""
