"""Extension points of the console map: other parts add their layers from their AppConfig.ready.

A script listed here is loaded after the console's own; it receives the map through the
`gridgov:map-ready` event (detail: {map, overlays}) and adds its layers to `overlays`, a Leaflet
layers control.
"""

CONSOLE_SCRIPTS: list[str] = []


def add_console_script(static_path: str) -> None:
    if static_path not in CONSOLE_SCRIPTS:
        CONSOLE_SCRIPTS.append(static_path)
