"""A bare Django REST Framework project over the project's member table: the floor any Django API
pays (issue 15). No authentication, no plan scope beyond the one the connection is opened with
(row-level security needs it), no audit: a ModelSerializer and DRF's generic views."""
