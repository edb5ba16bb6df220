"""`python -m bot`: for `serve`, its port is bound (and answers "starting") before the command line and
the server are imported (bot.early); then the command line runs."""

import sys

from bot import early


def main() -> None:
    early.bind(sys.argv[1:])
    from bot.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
