"""gzip responses with ISA-L (``isal``): the same gzip stream, several times faster than zlib.

Flask-Compress picks the encoding a client asks for (zstd, br, gzip or deflate) and
compresses with the standard library. GDAL, QGIS and most HTTP libraries ask for gzip
only, and a page of 1,000 features is about 1 MB: zlib at level 1 spends ~10 ms on it,
ISA-L at its level 1 ~1.5 ms for slightly fewer bytes (bench/ogc_bench.py, GDAL copy).
This hook runs before Flask-Compress's own and answers the responses for which it would
choose gzip; everything else (other encodings, streamed downloads) stays with
Flask-Compress, which passes a response that already has a Content-Encoding.
"""

from __future__ import annotations

from flask import Flask, Response, request
from isal import igzip

LEVEL = 1  # ISA-L levels are 0-3; 1 compresses 1 MB of GeoJSON about like zlib's 1


def init_app(app: Flask, algorithms: tuple[str, ...]) -> None:
    """Register after ``Compress(app)`` (so it runs first); ``algorithms`` in its order."""
    mimetypes = set(app.config["COMPRESS_MIMETYPES"])
    min_size = app.config.get("COMPRESS_MIN_SIZE", 500)

    @app.after_request
    def gzip_response(response: Response) -> Response:
        if (
            response.is_streamed
            or response.direct_passthrough
            or response.mimetype not in mimetypes
            or not 200 <= response.status_code < 300
            or "Content-Encoding" in response.headers
            or (response.content_length or 0) < min_size
            or request.accept_encodings.best_match(algorithms) != "gzip"
        ):
            return response
        response.vary.add("Accept-Encoding")
        response.set_data(igzip.compress(response.get_data(), LEVEL))
        response.headers["Content-Encoding"] = "gzip"
        etag, weak = response.get_etag()
        if etag and not weak:  # as Flask-Compress: another body, another strong ETag
            response.set_etag(f"{etag}:gzip")
        if request.method in ("GET", "HEAD"):
            response.make_conditional(request)
        return response
