"""Take-home: saved runs, the exported NumPy script, and training from the shell."""
