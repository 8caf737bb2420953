"""astraweave: an AI-native game engine for Python.

Importing this package is cheap and inert: it starts no thread, opens no file and
loads no model. The subpackages (``astraweave.ecs``, ``astraweave.physics``,
``astraweave.nav``, ...) are imported on demand.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
