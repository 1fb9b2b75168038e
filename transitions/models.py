"""Models arrive with this area's issue."""
