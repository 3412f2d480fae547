"""User-facing surfaces. They parse arguments and print; the work is in the API."""
