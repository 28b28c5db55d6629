import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()
if settings.GRIDGOV_ROLE == "core":  # a public instance has no SMS gateway calling it
    from gridgov.notify.callbacks import WithCallbacks

    application = WithCallbacks(application)

# Everything loaded so far lives as long as the worker: keep it out of the garbage collector's
# full passes, which otherwise pause a request now and then for tens of milliseconds.
gc.freeze()
