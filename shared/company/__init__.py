"""The company using the product: its letterhead, currency and settings."""
