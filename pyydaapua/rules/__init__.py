"""Pure rules of the service: plain Python, importing neither Flask nor the database."""
