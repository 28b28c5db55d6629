"""How static files are collected for `gridgov serve`: content-hashed names, gzip copies, and
only the library builds the pages load.

The npm packages ship every build of themselves (ES modules, CommonJS, source maps, full and
partial ECharts bundles): about 67 MB, which compressing would take most of a start. The pages
use the minified browser builds only, so the rest is left out, and source-map comments are not
rewritten (their maps are not collected)."""

from django.contrib.staticfiles.apps import StaticFilesConfig
from whitenoise.storage import CompressedManifestStaticFilesStorage

NOT_LOADED_BY_PAGES = [
    "*.map",
    "*.mjs",
    "*.ts",
    "*.esm.*",
    "*.cjs.*",
    "*.amd.*",
    "echarts.js",
    "echarts.common*",
    "echarts.simple*",
    "extension",
    "leaflet-src*",
    "leaflet-geoman.js",
    "htmx.js",
    "*-src.js",
    "*.gz",  # htmx ships its own; whitenoise makes ours
    "package.json",
    "redoc.standalone.js",  # the API is documented with Swagger UI only
]


class StaticFiles(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, *NOT_LOADED_BY_PAGES]


def _rewrites_source_map(pattern: str | tuple[str, str]) -> bool:
    return "sourceMappingURL" in (pattern if isinstance(pattern, str) else pattern[0])


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (glob, tuple(p for p in found if not _rewrites_source_map(p)))
        for glob, found in CompressedManifestStaticFilesStorage.patterns
    )
