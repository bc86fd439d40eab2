"""`python -m contract_tests` runs the `specfirst` command line."""

from specfirst.contract_tests.cli import main

main()
