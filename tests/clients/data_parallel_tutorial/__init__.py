"""MindSpore samples run by the client tests under mpiexec (a package, so that its conftest has a unique name)."""
