"""Development tools only (local stand-ins for outside services, the make run banner): never imported by the site."""
