"""Tools for development and tests only: never imported by the site in production."""
