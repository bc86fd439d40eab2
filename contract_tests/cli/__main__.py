"""`python -m specfirst.contract_tests.cli` runs the `specfirst` command line."""

from specfirst.contract_tests.cli import main

main()
