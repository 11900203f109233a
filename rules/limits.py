"""Limits the rules apply, kept apart so that reading the settings loads no data library."""

DEFAULT_MAX_FILE_MB = 256  # a larger file is rejected unread (F010)
