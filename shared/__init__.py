"""The platform: database, permissions, API plumbing and the master data every module uses."""
