"""Logging filters that keep personal data out of log files (REG-39)."""

from __future__ import annotations

import logging
import re

from skinchart.lib.cpr import mask_cpr_in_text

# A client's guide link is a bearer secret in the path (/g/<token>/): never logged.
LINK_TOKEN = re.compile(r"/g/[^/\s?#'\"]+")


def mask_link_tokens(text: str) -> str:
    return LINK_TOKEN.sub("/g/***", text)


class MaskCprFilter(logging.Filter):
    """Masks CPR-shaped numbers, and the tokens of client links, in the formatted
    message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_link_tokens(mask_cpr_in_text(message))
        if masked != message:
            record.msg = masked
            record.args = None
        return True
