"""The home page, the health check, the language switch and the error pages."""
