"""Madoguchi: a one-stop digital counter for Japanese municipalities."""
