"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests
(search, one, POST) and tokens, in JSON and XML, with the spec's field names and error shape."""
