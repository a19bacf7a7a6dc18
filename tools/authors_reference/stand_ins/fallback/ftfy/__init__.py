"""Fallback ftfy (see ../README). ftfy.fix_text repairs mojibake, unescapes HTML entities, uncurls quotes, drops
control / terminal-escape characters and NFC-normalizes; on printable ASCII without '&' none of that applies, so
there it is the identity. That covers the VOC prompts ("a photo of a aeroplane", ...); anything else is refused."""


def fix_text(text, **kwargs):
    if not all(" " <= c <= "~" for c in text) or "&" in text:
        raise NotImplementedError(f"ftfy is not installed and {text!r} is not plain printable ASCII without '&'")
    return text
