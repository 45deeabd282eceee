"""The benchmark floor: one endpoint that inserts one row, what ``bench/submit.py`` compares
against.

An edge app, installed only with ``MADOGUCHI_BENCH`` (and ``MADOGUCHI_TESTING``, which tests the
bench script); production settings never contain it. It is named ``benchfloor``, not ``bench``,
so it is not mistaken for the benchmark scripts in the repository's top-level ``bench/`` folder.
"""
