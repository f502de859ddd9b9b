"""Make Office zip packages (.docx, .xlsx) byte-identical across runs.

python-docx and openpyxl stamp the current time into every zip entry and into
``docProps/core.xml`` (openpyxl overwrites ``modified`` on every save). Rewriting the archive with a
fixed entry date and a fixed core-properties part removes every run date from the file.
"""

from __future__ import annotations

import io
import zipfile

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_CORE_PATH = "docProps/core.xml"
_CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>clusterdx</dc:creator>"
    "<cp:lastModifiedBy>clusterdx</cp:lastModifiedBy><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def normalise(package: bytes, *, title: str = "") -> bytes:
    """Return ``package`` rewritten with fixed zip dates and, where present, fixed core properties."""
    out = io.BytesIO()
    core = _CORE_XML.replace("{title}", _xml_text(title)).encode("utf-8")
    with (
        zipfile.ZipFile(io.BytesIO(package)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            data = core if name == _CORE_PATH else src.read(name)
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    return out.getvalue()
