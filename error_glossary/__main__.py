"""Print the glossary as Markdown: python -m error_glossary > docs/glossary.md."""

import sys

from .markdown import glossary_markdown


def main() -> None:
    """Write the Markdown glossary to standard output, UTF-8 with LF line ends."""
    sys.stdout.buffer.write(glossary_markdown().encode("utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
