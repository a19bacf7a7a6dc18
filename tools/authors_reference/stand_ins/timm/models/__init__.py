"""timm.models stand-in package (see ../__init__.py)."""
