"""Logging filters that keep personal data out of log files (REG-39)."""

from __future__ import annotations

import logging

from skinchart.lib.cpr import mask_cpr_in_text


class MaskCprFilter(logging.Filter):
    """Masks CPR-shaped numbers in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_cpr_in_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
