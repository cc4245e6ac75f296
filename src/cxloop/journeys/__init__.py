"""Journeys: interactions across channels, promises, effort metrics and journey maps."""
