"""The one public ordering path: every order kind (bundle, plan change, pack purchase, and the
kinds that follow) is a small `OrderKindHandler` handed to `place_order`. See docs/DEVELOPING.md,
"Add an order kind"."""

from resolvers.ordering.pipeline import OrderKindHandler, Prepared, place_order

__all__ = ["OrderKindHandler", "Prepared", "place_order"]
