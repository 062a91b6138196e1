"""The family's data rights and the audit trail: export, access log, audit log, retention."""
