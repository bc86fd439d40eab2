"""The pydantic models both FastAPI baselines validate with: a customer as created and as served.

They follow the CRM's `CustomerCreate` and `Customer` schemas (openapi/components/schemas): the
create body forbids unknown and server-set fields, the served record has every field required.
"""

# FastAPI reads these annotations at runtime: no `from __future__ import annotations`.

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Customer", "CustomerCreate"]

Stage = Literal["lead", "prospect", "customer", "churned"]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
Uuid = Annotated[str, Field(pattern=r"^[0-9a-fA-F-]{36}$")]


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"@")
    phone: str | None = Field(default=None, max_length=50)
    company_id: Uuid | None = None
    lifecycle_stage: Stage = "lead"
    source: str | None = Field(default=None, max_length=100)
    owner_id: Uuid | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    properties: dict[str, str | int | float | bool | None] = Field(default_factory=dict,
                                                                   max_length=50)


class Customer(BaseModel):
    id: Uuid
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(max_length=254)
    phone: str | None = Field(max_length=50)
    company_id: Uuid | None
    lifecycle_stage: Stage
    source: str | None = Field(max_length=100)
    owner_id: Uuid | None
    tags: list[Tag]
    properties: dict[str, str | int | float | bool | None]
    created_at: str
    updated_at: str
    version: int = Field(ge=1, le=2147483647)
