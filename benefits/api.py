"""The benefits API (DOMAIN 9): the catalogue (catalogue_api.py), the plan's Community Supports
elections (election_api.py) and its expedited clocks per Community Support (clock_api.py)."""

from benefits import catalogue_api, clock_api, election_api

ROUTES = [*catalogue_api.ROUTES, *election_api.ROUTES, *clock_api.ROUTES]
PATHS = [*election_api.PATHS]
