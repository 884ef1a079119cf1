"""clientbase: customer and contact management for field-service companies."""

__version__ = "0.1.0"
