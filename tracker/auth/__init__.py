"""Signing in and out; every other page needs it."""
