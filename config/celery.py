"""The Celery application, configured from Django settings (the ``CELERY_`` names)."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import before_task_publish, task_prerun

from config.broker import remove_stale_temporary_files
from config.requestid import add_to_task_headers, take_from_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("relais")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the embedded broker's folders; the filesystem transport does not."""
    options = app.conf.broker_transport_options or {}
    folders = [
        options[key]
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        if options.get(key)
    ]
    for folder in folders:
        Path(folder).mkdir(parents=True, exist_ok=True)
    remove_stale_temporary_files(*folders)


@app.on_after_configure.connect
def _on_after_configure(sender: Celery, **kwargs: object) -> None:
    ensure_broker_folders()


# The request id follows the work into the tasks it causes (config/requestid.py).
before_task_publish.connect(add_to_task_headers, weak=False)
task_prerun.connect(take_from_task, weak=False)
