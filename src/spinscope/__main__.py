"""``python -m spinscope`` is the ``spinscope`` command."""

from spinscope.interfaces.cli import main

if __name__ == "__main__":
    main(prog_name="spinscope")
