"""Command-line subcommands: one module per command, each with register() and run()."""
