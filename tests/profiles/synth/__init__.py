"""Tests of the synthetic-people generator."""
