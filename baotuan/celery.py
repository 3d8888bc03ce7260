"""The Celery application: long and scheduled work runs in worker processes, never in a
web request.

Started the conventional way: `.venv/bin/celery -A baotuan worker` and
`.venv/bin/celery -A baotuan beat` (schedules in the database: django-celery-beat). The
configuration is Django's settings under the CELERY_ prefix (baotuan/settings.py, block
"Task queue, cache, replica"); tasks are found in each app's `tasks` module.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baotuan.settings")

app = Celery("baotuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
