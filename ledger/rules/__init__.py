"""Published reward rules: the document, the engine, activity, leaves, periods and their checks."""
