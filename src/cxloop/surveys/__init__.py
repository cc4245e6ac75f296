"""Surveys: definitions, collection, distribution and the sampling planner."""
