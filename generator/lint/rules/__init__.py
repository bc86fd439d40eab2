"""The built-in lint rules, one module each, listed in `ALL_RULES` in id order."""

from __future__ import annotations

from specfirst.generator.lint.rules.sf001_valid_openapi import ValidOpenAPI
from specfirst.generator.lint.rules.sf002_duplicate_key import DuplicateKey
from specfirst.generator.lint.rules.sf101_path_casing import PathCasing
from specfirst.generator.lint.rules.sf102_parameter_casing import ParameterCasing
from specfirst.generator.lint.rules.sf103_property_casing import PropertyCasing
from specfirst.generator.lint.rules.sf104_operation_id_format import OperationIdFormat
from specfirst.generator.lint.rules.sf105_error_shape import ErrorShape
from specfirst.generator.lint.rules.sf106_pagination_parameters import PaginationParameters
from specfirst.generator.lint.rules.sf107_versioned_base_path import VersionedBasePath
from specfirst.generator.lint.rules.sf108_plural_collections import PluralCollections
from specfirst.generator.lint.rules.sf109_path_id_names import PathIdNames
from specfirst.generator.lint.rules.sf201_unused_component import UnusedComponent
from specfirst.generator.lint.rules.sf202_duplicated_inline_schema import DuplicatedInlineSchema
from specfirst.generator.lint.rules.sf203_path_depth import PathDepth
from specfirst.generator.lint.rules.sf204_too_many_parameters import TooManyParameters
from specfirst.generator.lint.rules.sf205_allof_closed import AllOfClosed
from specfirst.generator.lint.rules.sf301_operation_summary import OperationSummary
from specfirst.generator.lint.rules.sf302_operation_description import OperationDescription
from specfirst.generator.lint.rules.sf303_description_copies_summary import DescriptionCopiesSummary
from specfirst.generator.lint.rules.sf304_examples_present import ExamplesPresent
from specfirst.generator.lint.rules.sf305_example_valid import ExampleValid
from specfirst.generator.lint.rules.sf306_tags_declared import TagsDeclared
from specfirst.generator.lint.rules.sf307_tag_description import TagDescription
from specfirst.generator.lint.rules.sf308_enum_documented import EnumDocumented
from specfirst.generator.lint.rules.sf309_parameter_description import ParameterDescription
from specfirst.generator.lint.rules.sf310_response_order import ResponseOrder
from specfirst.generator.lint.rules.sf401_request_body_extensible import RequestBodyExtensible
from specfirst.generator.lint.rules.sf402_info_version import InfoVersion
from specfirst.generator.lint.rules.sf403_response_envelope import ResponseEnvelope
from specfirst.generator.lint.rules.sf501_operation_security import OperationSecurity
from specfirst.generator.lint.rules.sf502_api_key_in_query import ApiKeyInQuery
from specfirst.generator.lint.rules.sf503_http_server import HttpServer
from specfirst.generator.lint.rules.sf504_unbounded_string import UnboundedString
from specfirst.generator.lint.rules.sf505_unbounded_array import UnboundedArray
from specfirst.generator.lint.rules.sf506_open_request_body import OpenRequestBody
from specfirst.generator.lint.rules.sf507_redos_pattern import RedosPattern
from specfirst.generator.lint.rules.sf508_auth_error_responses import AuthErrorResponses
from specfirst.generator.lint.rules.sf509_rate_limit_response import RateLimitResponse
from specfirst.generator.lint.rules.sf510_problem_json_errors import ProblemJsonErrors
from specfirst.generator.lint.rules.sf511_unsafe_operation_secured import UnsafeOperationSecured
from specfirst.generator.lint.rules.sf601_create_links import CreateLinks
from specfirst.generator.lint.rules.sf602_link_source_required import LinkSourceRequired

__all__ = [
    "ALL_RULES",
    "AllOfClosed",
    "ApiKeyInQuery",
    "AuthErrorResponses",
    "CreateLinks",
    "DescriptionCopiesSummary",
    "DuplicateKey",
    "DuplicatedInlineSchema",
    "EnumDocumented",
    "ErrorShape",
    "ExampleValid",
    "ExamplesPresent",
    "HttpServer",
    "InfoVersion",
    "LinkSourceRequired",
    "OpenRequestBody",
    "OperationDescription",
    "OperationIdFormat",
    "OperationSecurity",
    "OperationSummary",
    "PaginationParameters",
    "ParameterCasing",
    "ParameterDescription",
    "PathCasing",
    "PathDepth",
    "PathIdNames",
    "PluralCollections",
    "ProblemJsonErrors",
    "PropertyCasing",
    "RateLimitResponse",
    "RedosPattern",
    "RequestBodyExtensible",
    "ResponseEnvelope",
    "ResponseOrder",
    "TagDescription",
    "TagsDeclared",
    "TooManyParameters",
    "UnboundedArray",
    "UnboundedString",
    "UnsafeOperationSecured",
    "UnusedComponent",
    "ValidOpenAPI",
    "VersionedBasePath",
]

ALL_RULES = (
    ValidOpenAPI,
    DuplicateKey,
    PathCasing,
    ParameterCasing,
    PropertyCasing,
    OperationIdFormat,
    ErrorShape,
    PaginationParameters,
    VersionedBasePath,
    PluralCollections,
    PathIdNames,
    UnusedComponent,
    DuplicatedInlineSchema,
    PathDepth,
    TooManyParameters,
    AllOfClosed,
    OperationSummary,
    OperationDescription,
    DescriptionCopiesSummary,
    ExamplesPresent,
    ExampleValid,
    TagsDeclared,
    TagDescription,
    EnumDocumented,
    ParameterDescription,
    ResponseOrder,
    RequestBodyExtensible,
    InfoVersion,
    ResponseEnvelope,
    OperationSecurity,
    ApiKeyInQuery,
    HttpServer,
    UnboundedString,
    UnboundedArray,
    OpenRequestBody,
    RedosPattern,
    AuthErrorResponses,
    RateLimitResponse,
    ProblemJsonErrors,
    UnsafeOperationSecured,
    CreateLinks,
    LinkSourceRequired,
)
