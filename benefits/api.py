"""The benefits API (DOMAIN 9): the catalogue (catalogue_api.py) and the plan's Community Supports
elections (election_api.py)."""

from benefits import catalogue_api, election_api

ROUTES = [*catalogue_api.ROUTES, *election_api.ROUTES]
PATHS = [*election_api.PATHS]
