"""Fulfilment: confirming orders, picking and packing, shipments and carriers."""
