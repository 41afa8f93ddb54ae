"""Codemods: one fixer per file, registered in migrator.codemods.registry."""
