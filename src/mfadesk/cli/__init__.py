"""The `mfadesk` command line: operator tasks on the local database, and `serve`."""
