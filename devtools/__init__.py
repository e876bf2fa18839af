"""Development tools only (local stand-ins for outside services, make run's banner).

Never imported by the site itself."""
