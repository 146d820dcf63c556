"""The Celery app: `celery -A config worker` / `celery -A config beat`.

Configuration lives in Django settings under the CELERY_ prefix. Tasks derive from
Celery's DjangoTask, so `task.delay_on_commit(...)` publishes only once the surrounding
transaction has committed: a worker never sees an id whose row is not yet visible.
"""

import os

from celery import Celery
from celery.signals import import_modules

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@import_modules.connect
def make_filesystem_broker_folders(sender=None, **kwargs):
    # Kombu's filesystem transport (the no-server default of `make run`) needs its folders.
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
