# JupyterLab configuration for this book, used by `make lab` and tests/test_jupyterlab.py
# (`jupyter lab --config=jupyterlab-config/jupyter_lab_config.py`). It keeps JupyterLab offline:
# nothing is fetched from outside the machine at run time.
from pathlib import Path

c = get_config()  # noqa: F821 - defined by traitlets when it loads this file

# Serve on the loopback interface only.
c.ServerApp.ip = "127.0.0.1"
# No news feed (the server would fetch an Atom feed from jupyterlab.github.io) and no check for
# a newer JupyterLab (a request to pypi.org).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
# The extension manager lists what is installed and never searches or installs from PyPI.
c.LabApp.extension_manager = "readonly"
# Default settings for the front end (settings/overrides.json): never ask to fetch news.
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "settings")
