"""Pure business rules. Nothing here may import a framework, a driver or do I/O."""
