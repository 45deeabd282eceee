"""The demo city (緑ヶ丘市): its loader, sample cases, demo mailbox and a LINE fake.

An edge app: installed only with ``MADOGUCHI_DEMO`` (and ``MADOGUCHI_TESTING``, since the test
suite starts from the demo city); production settings never contain it and no product app
imports it.
"""
