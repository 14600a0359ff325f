"""The one failure of a Transmission method: a result string other than "success", HTTP 200."""


class RpcError(Exception):
    """Raised by a method handler; its text becomes the reply's `result`, `arguments` goes along."""

    def __init__(self, message: str, arguments: dict | None = None):
        super().__init__(message)
        self.arguments = arguments or {}
