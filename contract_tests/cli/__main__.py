"""`python -m contract_tests.cli` runs the `specfirst` command line."""

from contract_tests.cli import main

main()
