"""Tests of the profiles domain."""
