#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baotuan.settings")
    # manage.py is the developer's entry point: debug settings unless told otherwise.
    # Deployments use the `baotuan` script, which keeps DEBUG off and requires SECRET_KEY.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
