"""`python -m app`: start the Backprop Playground server."""

from app.web.cli import main

if __name__ == "__main__":
    main()
