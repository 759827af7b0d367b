from ._api import *  # noqa: F401,F403  (for editors: the names __init__ loads lazily)
__version__: str
