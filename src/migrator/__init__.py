"""migrator: move Python code off the OpenAI API onto another provider."""

import warnings

__version__ = "0.1.0"

# migrator reads the user's code as text: `ast.parse`, and libcst's `evaluated_value` of a
# string literal (`ast.literal_eval`), compile it under the name "<unknown>". Python then
# warns about that code's own oddities -- an invalid escape such as "\d" is a
# SyntaxWarning on Python 3.12+, a DeprecationWarning before -- and printed them on
# stderr as if migrator had a problem (`<unknown>:4: SyntaxWarning: invalid escape
# sequence '\d'`). They are about the user's code, which Python warns about when it runs
# it; only warnings about text compiled under that name are silenced. Set here, so that
# every process running migrator code (a worker started by spawn, too) has it.
for _category in (SyntaxWarning, DeprecationWarning):
    warnings.filterwarnings("ignore", category=_category, module=r"<unknown>\Z")
del _category
