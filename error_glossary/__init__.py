"""error_glossary package."""
