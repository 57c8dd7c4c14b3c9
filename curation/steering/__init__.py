"""Crowd-steered generation (issue 12): a preference model of this crowd, fitted from the
figures that count, and (to come) the policy that steers batches with it."""
