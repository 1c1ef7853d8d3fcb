"""Returns and complaints (RMA): filing, approval, receiving and inspection, resolution."""
