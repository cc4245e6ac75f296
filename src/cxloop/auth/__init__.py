"""Users, roles, sessions, API keys and the permission dependencies."""
