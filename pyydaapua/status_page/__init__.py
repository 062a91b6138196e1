"""The status page: the written channel between a family and the counsellors.

A parent who chose it on the form gets a secret code with the reference; the two open the
request's status page, which shows the state of the request and the messages, and takes the
family's answers. The code is stored only as an argon2id hash (``domain``).
"""
