"""Unified customer profile: ingest, identity resolution, golden record, 360 view, consent."""
