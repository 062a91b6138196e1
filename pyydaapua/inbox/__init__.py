"""The counsellors' inbox: the list of requests, its filters, search and counts."""
