"""A bookshop nobody here designed, served by handlers written as plain functions."""
