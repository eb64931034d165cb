"""``flask --app wiki backup FILE`` and ``restore FILE`` (being written)."""

COMMANDS = []
