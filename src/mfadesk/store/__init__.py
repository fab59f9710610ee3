"""Persistence: SQLAlchemy Core tables, repositories, the unit of work, migrations.

The only package that imports SQLAlchemy. SQLite (WAL) by default, PostgreSQL by URL.
"""
