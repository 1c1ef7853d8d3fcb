"""Every model module, imported once so that the metadata (and Alembic) sees all tables."""

from portal.accounts import models as accounts
from portal.backoffice import models as backoffice
from portal.cart import models as cart
from portal.catalog import models as catalog
from portal.documents import models as documents
from portal.fulfilment import models as fulfilment
from portal.invoicing import models as invoicing
from portal.notifications import models as notifications
from portal.orders import models as orders
from portal.payments import models as payments
from portal.returns import models as returns
from portal.seller import models as seller
from portal.stock import models as stock

__all__ = [
    "accounts",
    "backoffice",
    "cart",
    "catalog",
    "documents",
    "fulfilment",
    "invoicing",
    "notifications",
    "orders",
    "payments",
    "returns",
    "seller",
    "stock",
]
