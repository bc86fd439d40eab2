from __future__ import annotations

import pytest
from specfirst.generator.naming import function_name, module_name, snake_case, unique_name


@pytest.mark.parametrize(("given", "expected"), [
    ("getCustomers", "get_customers"),
    ("getCustomerByID", "get_customer_by_id"),
    ("list-customers", "list_customers"),
    ("../../x", "x"),
    ("class", "class_"),
    ("__init__", "init"),
    ("2fa_verify", "op_2fa_verify"),
    ("match", "match_"),
])
def test_function_names_are_valid_identifiers(given: str, expected: str) -> None:
    name = function_name(given, "get", "/x")
    assert name == expected and name.isidentifier()


def test_names_without_operation_id_come_from_method_and_path() -> None:
    assert function_name(None, "GET", "/users/{userId}/repos") == "get_users_by_user_id_repos"
    assert function_name("", "post", "/") == "post"


def test_module_names_and_uniqueness() -> None:
    assert module_name(None) == "default"
    assert module_name("Customer Care") == "customer_care"
    assert module_name("import") == "import_"
    taken: set[str] = set()
    assert [unique_name("a", taken) for _ in range(3)] == ["a", "a_2", "a_3"]
    assert snake_case("HTTPServer") == "http_server"
