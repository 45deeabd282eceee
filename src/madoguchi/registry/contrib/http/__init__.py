"""The HTTP registry connector: the city's 住民記録 read through its JSON API.

See docs/registry-http.md for the API it expects and its settings.
"""
