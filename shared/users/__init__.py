"""Users, roles, sign-in, API tokens and login throttling."""
