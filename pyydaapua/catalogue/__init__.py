"""The service catalogue: the city, third-sector and wellbeing-county services referred to."""
