"""Bearer API keys shared by the services: format, scopes, store, Flask check and command line.

Each service keeps its own `api_keys` table in its own database; the command registers one key in
each chosen service. See README.md, section "API keys".
"""
