"""The bookshop's handlers: plain functions returning dicts (and a status), kept in memory."""
