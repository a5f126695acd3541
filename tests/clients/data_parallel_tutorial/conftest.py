"""The scripts here run under mpiexec from ``tests/clients/test_data_parallel_tutorial.py``; never import them."""

collect_ignore_glob = ["*.py"]
