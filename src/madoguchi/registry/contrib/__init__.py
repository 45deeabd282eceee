"""Where registry connectors go: one package per connector, ``contrib/<connector>/``.

A connector package holds its :class:`~madoguchi.registry.plugins.RegistryConnector` subclass,
its client, mapping and tests, and registers one instance with
:data:`~madoguchi.registry.plugins.registry_connectors` from its own ``AppConfig.ready()`` (the
package is an app of its own, added to ``INSTALLED_APPS`` by the city that uses it). Adding a
connector touches only its folder. Two ship: ``file_import`` (the CSV extract of the core
system) and ``http`` (the core system's JSON API, registered only when configured).
"""
