"""Extensions are created here and bound to the app in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from portal.core.db import db

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]
