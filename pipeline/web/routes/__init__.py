"""One routes module per page family; each calls the same functions as the command line."""
