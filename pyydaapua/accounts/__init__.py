"""Staff accounts and sign-in: passwords, the second factor, permissions, administration."""
