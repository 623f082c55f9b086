"""The benefits API (DOMAIN 9): the catalogue (catalogue_api.py)."""

from benefits import catalogue_api

ROUTES = [*catalogue_api.ROUTES]
PATHS: list = []
